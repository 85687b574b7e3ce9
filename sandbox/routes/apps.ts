import { randomBytes } from "node:crypto";
import { covers } from "../auth/authenticate.js";
import { HttpError, notFound, validationFailed } from "../http/errors.js";
import { paginate } from "../http/pagination.js";
import { json, noContent, type Route, type RouteContext } from "../http/route.js";
import { renderApp, renderInstallation, renderRepo } from "../render/core.js";
import type { AccessLevel, Installation, InstallationToken, Permissions } from "../state/model.js";
import type { Delivery } from "../webhooks/webhooks.js";

const TOKEN_LIFETIME_MS = 60 * 60 * 1000;

function appOf(ctx: RouteContext) {
  if (ctx.caller.kind !== "app") throw notFound();
  const app = ctx.sandbox.store.apps.get(ctx.caller.appId);
  if (!app) throw notFound();
  return app;
}

function installationOfApp(ctx: RouteContext, id: string | undefined): Installation {
  const app = appOf(ctx);
  const installation = ctx.sandbox.store.installations.get(Number(id));
  if (!installation || installation.appId !== app.id) throw notFound();
  return installation;
}

/** Narrowing may only take away: every requested permission must be granted to the installation. */
function narrowPermissions(granted: Permissions, requested: unknown): Permissions {
  if (requested === undefined) return { ...granted };
  const out: Permissions = {};
  for (const [name, level] of Object.entries(requested as Record<string, AccessLevel>)) {
    const has = granted[name];
    if (!covers(has, level)) {
      throw new HttpError(422, "The permissions requested are not granted to this installation.");
    }
    out[name] = level;
  }
  return out;
}

function narrowRepositories(ctx: RouteContext, installation: Installation): Set<number> | null {
  const names = ctx.body.repositories as string[] | undefined;
  const ids = ctx.body.repository_ids as number[] | undefined;
  if (!names && !ids) return null;
  const available = ctx.sandbox.store.reposForInstallation(installation);
  const chosen = new Set<number>();
  for (const name of names ?? []) {
    const repo = available.find((r) => r.name.toLowerCase() === name.toLowerCase());
    if (!repo) {
      throw new HttpError(
        422,
        "There is at least one repository that does not exist or is not accessible to the parent installation.",
      );
    }
    chosen.add(repo.id);
  }
  for (const id of ids ?? []) {
    if (!available.some((r) => r.id === id)) {
      throw new HttpError(
        422,
        "There is at least one repository that does not exist or is not accessible to the parent installation.",
      );
    }
    chosen.add(id);
  }
  return chosen;
}

function createToken(ctx: RouteContext) {
  const installation = installationOfApp(ctx, ctx.params.installation_id);
  if (installation.suspendedAt) throw new HttpError(403, "This installation has been suspended");
  const { store } = ctx.sandbox;
  const token: InstallationToken = {
    token: `ghs_${randomBytes(18).toString("hex")}`,
    installationId: installation.id,
    expiresAt: store.now() + TOKEN_LIFETIME_MS,
    permissions: narrowPermissions(installation.permissions, ctx.body.permissions),
    repositoryIds: narrowRepositories(ctx, installation),
  };
  store.tokens.set(token.token, token);
  const repos = token.repositoryIds
    ? [...token.repositoryIds].map((id) => store.repos.get(id)).filter((r) => r !== undefined)
    : null;
  return json(201, {
    token: token.token,
    expires_at: new Date(token.expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
    permissions: token.permissions,
    repository_selection: repos ? "selected" : installation.repositorySelection,
    ...(repos ? { repositories: repos.map((r) => renderRepo(ctx.sandbox, r)) } : {}),
  });
}

function renderDelivery(delivery: Delivery, withBodies: boolean) {
  const item = {
    id: delivery.id,
    guid: delivery.guid,
    delivered_at: delivery.deliveredAt,
    redelivery: delivery.redelivery,
    duration: delivery.durationMs / 1000,
    status: delivery.status === "delivered" ? "OK" : delivery.status,
    status_code: delivery.statusCode,
    event: delivery.event,
    action: delivery.action,
    installation_id: delivery.installationId,
    repository_id: delivery.repositoryId,
  };
  if (!withBodies) return item;
  return {
    ...item,
    request: {
      headers: { "X-GitHub-Event": delivery.event, "X-GitHub-Delivery": delivery.guid },
      payload: delivery.payload,
    },
    response: { headers: {}, payload: null },
  };
}

function deliveryOfApp(ctx: RouteContext): Delivery {
  const app = appOf(ctx);
  const id = Number(ctx.params.delivery_id);
  const delivery = ctx.sandbox.webhooks.deliveries.find((d) => d.id === id && d.appId === app.id);
  if (!delivery) throw notFound();
  return delivery;
}

export const appRoutes: Route[] = [
  {
    op: "GET /app",
    auth: "app",
    handle: (ctx) => json(200, renderApp(ctx.sandbox, appOf(ctx))),
  },
  {
    op: "GET /app/installations",
    auth: "app",
    handle: (ctx) => {
      const app = appOf(ctx);
      const installations = [...ctx.sandbox.store.installations.values()].filter((i) => i.appId === app.id);
      return paginate(
        ctx,
        installations.map((i) => renderInstallation(ctx.sandbox, i)),
      );
    },
  },
  {
    op: "GET /app/installations/{installation_id}",
    auth: "app",
    handle: (ctx) =>
      json(200, renderInstallation(ctx.sandbox, installationOfApp(ctx, ctx.params.installation_id))),
  },
  {
    op: "POST /app/installations/{installation_id}/access_tokens",
    auth: "app",
    handle: createToken,
  },
  {
    op: "GET /repos/{owner}/{repo}/installation",
    auth: "app",
    handle: (ctx) => {
      const app = appOf(ctx);
      const installation = ctx.sandbox.store.installationsForRepo(ctx.repo).find((i) => i.appId === app.id);
      if (!installation) throw notFound();
      return json(200, renderInstallation(ctx.sandbox, installation));
    },
  },
  {
    op: "GET /installation/repositories",
    auth: "installation",
    handle: (ctx) => {
      if (ctx.caller.kind !== "installation") throw notFound();
      const { installation, token } = ctx.caller;
      const repos = ctx.sandbox.store
        .reposForInstallation(installation)
        .filter((r) => !token.repositoryIds || token.repositoryIds.has(r.id));
      return paginate(ctx, repos, (page, total) => ({
        total_count: total,
        repositories: page.map((r) => renderRepo(ctx.sandbox, r)),
        repository_selection: token.repositoryIds ? "selected" : installation.repositorySelection,
      }));
    },
  },
  {
    op: "DELETE /installation/token",
    auth: "installation",
    handle: (ctx) => {
      if (ctx.caller.kind === "installation") ctx.sandbox.store.tokens.delete(ctx.caller.token.token);
      return noContent();
    },
  },
  {
    op: "GET /app/hook/deliveries",
    auth: "app",
    handle: (ctx) => {
      const app = appOf(ctx);
      // Newest first, as GitHub lists them. (GitHub pages these by cursor; a page number works here too.)
      const deliveries = ctx.sandbox.webhooks.deliveries.filter((d) => d.appId === app.id).reverse();
      return paginate(
        ctx,
        deliveries.map((d) => renderDelivery(d, false)),
      );
    },
  },
  {
    op: "GET /app/hook/deliveries/{delivery_id}",
    auth: "app",
    handle: (ctx) => json(200, renderDelivery(deliveryOfApp(ctx), true)),
  },
  {
    op: "POST /app/hook/deliveries/{delivery_id}/attempts",
    auth: "app",
    handle: (ctx) => {
      const delivery = deliveryOfApp(ctx);
      if (delivery.status === "pending") throw validationFailed("HookDelivery", "id", "in_progress");
      ctx.sandbox.webhooks.redeliver(delivery.id);
      return json(202, {});
    },
  },
];
