import { notFound } from "../http/errors.js";
import { paginate } from "../http/pagination.js";
import { json, type Route, type RouteContext } from "../http/route.js";
import { renderInstallation, renderRepo, renderUser } from "../render/core.js";
import type { Installation, Role, User } from "../state/model.js";
import { ROLE_RANK } from "../state/store.js";

/**
 * What an App may read for a signed-in person with their user access token ("Sign in with GitHub"): who they
 * are, and which of the App's installations and repositories they can reach, with their permissions there.
 */

function personOf(ctx: RouteContext): { user: User; appId: number } {
  if (ctx.caller.kind !== "user") throw notFound();
  return { user: ctx.caller.user, appId: ctx.caller.app.id };
}

/** The installation's repositories the person has a role on (a collaborator, the owner, or public ones). */
function reachable(ctx: RouteContext, installation: Installation, user: User) {
  const { store } = ctx.sandbox;
  return store
    .reposForInstallation(installation)
    .map((repo) => ({ repo, role: store.roleOf(repo, user.id) }))
    .filter((r): r is { repo: typeof r.repo; role: Role } => r.role !== null);
}

function installationsOf(ctx: RouteContext): Installation[] {
  const { user, appId } = personOf(ctx);
  return [...ctx.sandbox.store.installations.values()].filter(
    (inst) => inst.appId === appId && inst.suspendedAt === null && reachable(ctx, inst, user).length > 0,
  );
}

/** The permissions GitHub lists on a repository for a role. */
function permissionsOf(role: Role) {
  const rank = ROLE_RANK[role];
  return {
    admin: rank >= ROLE_RANK.admin,
    maintain: rank >= ROLE_RANK.maintain,
    push: rank >= ROLE_RANK.write,
    triage: rank >= ROLE_RANK.triage,
    pull: true,
  };
}

export const userRoutes: Route[] = [
  {
    op: "GET /user",
    auth: "user",
    handle: (ctx) => {
      const { user } = personOf(ctx);
      return json(200, {
        ...renderUser(ctx.sandbox, user),
        name: user.name,
        company: null,
        blog: null,
        location: null,
        email: user.email,
        hireable: null,
        bio: null,
        public_repos: 0,
        public_gists: 0,
        followers: 0,
        following: 0,
        created_at: "2020-01-01T00:00:00Z",
        updated_at: "2020-01-01T00:00:00Z",
      });
    },
  },
  {
    op: "GET /user/installations",
    auth: "user",
    handle: (ctx) =>
      paginate(ctx, installationsOf(ctx), (page, total) => ({
        total_count: total,
        installations: page.map((inst) => renderInstallation(ctx.sandbox, inst)),
      })),
  },
  {
    op: "GET /user/installations/{installation_id}/repositories",
    auth: "user",
    handle: (ctx) => {
      const { user } = personOf(ctx);
      const installation = installationsOf(ctx).find((i) => i.id === Number(ctx.params.installation_id));
      if (!installation) throw notFound();
      return paginate(ctx, reachable(ctx, installation, user), (page, total) => ({
        total_count: total,
        repository_selection: installation.repositorySelection,
        repositories: page.map(({ repo, role }) => ({
          ...renderRepo(ctx.sandbox, repo),
          permissions: permissionsOf(role),
        })),
      }));
    },
  },
];
