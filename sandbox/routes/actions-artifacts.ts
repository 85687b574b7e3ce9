import { downloadUrl } from "../ci/artifact-downloads.js";
import { HttpError, notFound } from "../http/errors.js";
import { paginate } from "../http/pagination.js";
import { json, noContent, type Route, type RouteContext } from "../http/route.js";
import { renderArtifact } from "../render/actions.js";
import type { Artifact, WorkflowRun } from "../state/model.js";

function all(ctx: RouteContext): { run: WorkflowRun; artifact: Artifact }[] {
  return ctx.repo.workflowRuns.flatMap((run) => run.artifacts.map((artifact) => ({ run, artifact })));
}

function artifactOr404(ctx: RouteContext) {
  const found = all(ctx).find((a) => a.artifact.id === Number(ctx.params.artifact_id));
  if (!found) throw notFound();
  return found;
}

function list(ctx: RouteContext, items: { run: WorkflowRun; artifact: Artifact }[]) {
  const name = ctx.query.get("name");
  const filtered = items
    .filter((a) => !name || a.artifact.name === name)
    .sort((a, b) => b.artifact.id - a.artifact.id);
  return paginate(ctx, filtered, (page, total) => ({
    total_count: total,
    artifacts: page.map((a) => renderArtifact(ctx.sandbox, ctx.repo, a.run, a.artifact)),
  }));
}

export const artifactRoutes: Route[] = [
  {
    op: "GET /repos/{owner}/{repo}/actions/artifacts",
    auth: "installation",
    permission: ["actions", "read"],
    handle: (ctx) => list(ctx, all(ctx)),
  },
  {
    op: "GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts",
    auth: "installation",
    permission: ["actions", "read"],
    handle(ctx) {
      const runId = Number(ctx.params.run_id);
      if (!ctx.repo.workflowRuns.some((r) => r.id === runId)) throw notFound();
      return list(
        ctx,
        all(ctx).filter((a) => a.run.id === runId),
      );
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}",
    auth: "installation",
    permission: ["actions", "read"],
    handle(ctx) {
      const { run, artifact } = artifactOr404(ctx);
      return json(200, renderArtifact(ctx.sandbox, ctx.repo, run, artifact));
    },
  },
  {
    op: "DELETE /repos/{owner}/{repo}/actions/artifacts/{artifact_id}",
    auth: "installation",
    permission: ["actions", "write"],
    handle(ctx) {
      const { run, artifact } = artifactOr404(ctx);
      run.artifacts = run.artifacts.filter((a) => a !== artifact);
      return noContent();
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}",
    auth: "installation",
    permission: ["actions", "read"],
    handle(ctx) {
      if (ctx.params.archive_format !== "zip") throw notFound();
      const { artifact } = artifactOr404(ctx);
      if (artifact.expired) throw new HttpError(410, "Artifact has expired");
      return { status: 302, headers: { location: downloadUrl(ctx.sandbox, artifact) } };
    },
  },
];
