import { createStatus } from "../ci/statuses.js";
import { resolveCommit } from "../git/objects.js";
import { HttpError, notAccessible } from "../http/errors.js";
import { paginate } from "../http/pagination.js";
import { json, type Route, type RouteContext } from "../http/route.js";
import { latestPerContext, renderCombinedStatus, renderStatus } from "../render/checks.js";
import type { CommitStatus } from "../state/model.js";

/** The status endpoints answer 404 for a ref that names no commit. */
async function shaOr404(ctx: RouteContext): Promise<string> {
  const ref = ctx.params.ref ?? "";
  const sha = await resolveCommit(ctx.repo.gitDir, ref);
  if (!sha) throw new HttpError(404, `No commit found for SHA: ${ref}`);
  return sha;
}

export const statusRoutes: Route[] = [
  {
    op: "POST /repos/{owner}/{repo}/statuses/{sha}",
    auth: "installation",
    permission: ["statuses", "write"],
    async handle(ctx) {
      if (ctx.caller.kind !== "installation") throw notAccessible();
      const body = ctx.body;
      const status = await createStatus(ctx.sandbox, ctx.repo, ctx.caller.botUser, ctx.params.sha ?? "", {
        state: body.state as CommitStatus["state"],
        context: typeof body.context === "string" ? body.context : undefined,
        description: typeof body.description === "string" ? body.description : null,
        targetUrl: typeof body.target_url === "string" ? body.target_url : null,
      });
      return json(201, renderStatus(ctx.sandbox, ctx.repo, status));
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/commits/{ref}/statuses",
    auth: "installation",
    permission: ["statuses", "read"],
    async handle(ctx) {
      const sha = await shaOr404(ctx);
      const all = ctx.repo.statuses.filter((s) => s.sha === sha).sort((a, b) => b.id - a.id);
      return paginate(
        ctx,
        all.map((s) => renderStatus(ctx.sandbox, ctx.repo, s)),
      );
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/commits/{ref}/status",
    auth: "installation",
    permission: ["statuses", "read"],
    async handle(ctx) {
      const sha = await shaOr404(ctx);
      const latest = latestPerContext(ctx.repo.statuses.filter((s) => s.sha === sha));
      const reply = paginate(ctx, latest);
      // The combined state covers every context; only the `statuses` list is paged.
      const full = renderCombinedStatus(ctx.sandbox, ctx.repo, sha, latest);
      const page = reply.body as CommitStatus[];
      return {
        ...reply,
        body: { ...full, statuses: full.statuses.filter((s) => page.some((p) => p.id === s.id)) },
      };
    },
  },
];
