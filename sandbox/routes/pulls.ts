import { diffText } from "../git/diff.js";
import { readCommit } from "../git/objects.js";
import { renderCommit } from "../git/render-git.js";
import { notFound } from "../http/errors.js";
import { paginate } from "../http/pagination.js";
import { json, noContent, type Reply, type Route, type RouteContext } from "../http/route.js";
import { isPull } from "../lifecycle/actor.js";
import { findPull, type MergeOptions, mergePull, openPull, updatePull } from "../lifecycle/pulls.js";
import { mergeBase, pullCommitShas, pullFiles } from "../render/pull-stats.js";
import { type PullIssue, renderPull, renderPullSimple } from "../render/pulls.js";
import { actorOf, byDate } from "./acting.js";

/** Pull requests: create, list, get (also as a diff), update, files, commits, merge. */

const READ = ["pull_requests", "read"] as [string, "read"];
const WRITE = ["pull_requests", "write"] as [string, "write"];

function pullOf(ctx: RouteContext): PullIssue {
  return findPull(ctx.repo, ctx.params.pull_number ?? "");
}

function listFilter(ctx: RouteContext): (pull: PullIssue) => boolean {
  const state = ctx.query.get("state") ?? "open";
  const head = ctx.query.get("head");
  const base = ctx.query.get("base");
  const owner = ctx.sandbox.store.user(ctx.repo.ownerId).login.toLowerCase();
  return (pull) =>
    (state === "all" || pull.state === state) &&
    (!base || pull.pull.baseRef === base) &&
    // `head` is `owner:branch`; another owner's fork never matches, since the sandbox has no forks.
    (!head || `${owner}:${pull.pull.headRef}` === head.replace(/^[^:]+:/, (o) => o.toLowerCase()));
}

/** `Accept: application/vnd.github.diff` asks for the pull request as a unified diff, not JSON. */
async function asDiff(ctx: RouteContext, pull: PullIssue): Promise<Reply | undefined> {
  const accept = String(ctx.headers.accept ?? "");
  if (!/vnd\.github(\.v3)?\.(diff|patch)/.test(accept)) return undefined;
  const text = await diffText(ctx.repo.gitDir, await mergeBase(ctx.repo, pull.pull), pull.pull.headSha);
  return { status: 200, raw: Buffer.from(text), headers: { "content-type": "text/plain; charset=utf-8" } };
}

export const pullRoutes: Route[] = [
  {
    op: "POST /repos/{owner}/{repo}/pulls",
    auth: "installation",
    permission: WRITE,
    async handle(ctx) {
      const b = ctx.body;
      const pull = await openPull(ctx.sandbox, ctx.repo, actorOf(ctx), {
        head: String(b.head ?? ""),
        ...(typeof b.base === "string" ? { base: b.base } : {}),
        title: String(b.title ?? ""),
        body: (b.body as string | undefined) ?? null,
        draft: b.draft === true,
        maintainerCanModify: b.maintainer_can_modify !== false,
      });
      return json(201, await renderPull(ctx.sandbox, ctx.repo, pull));
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/pulls",
    auth: "installation",
    permission: READ,
    handle(ctx) {
      const pulls = [...ctx.repo.issues.values()].filter(isPull).filter(listFilter(ctx));
      const sort = ctx.query.get("sort") ?? "created";
      const key = (p: PullIssue) =>
        `${sort === "updated" ? p.updatedAt : p.createdAt}#${String(p.number).padStart(9, "0")}`;
      const ordered = byDate(pulls, key, ctx.query.get("direction"));
      return paginate(
        ctx,
        ordered.map((p) => renderPullSimple(ctx.sandbox, ctx.repo, p)),
      );
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/pulls/{pull_number}",
    auth: "installation",
    permission: READ,
    async handle(ctx) {
      const pull = pullOf(ctx);
      return (await asDiff(ctx, pull)) ?? json(200, await renderPull(ctx.sandbox, ctx.repo, pull));
    },
  },
  {
    op: "PATCH /repos/{owner}/{repo}/pulls/{pull_number}",
    auth: "installation",
    permission: WRITE,
    async handle(ctx) {
      const pull = pullOf(ctx);
      const b = ctx.body;
      await updatePull(ctx.sandbox, ctx.repo, pull, actorOf(ctx), {
        ...(typeof b.title === "string" ? { title: b.title } : {}),
        ...(b.body !== undefined ? { body: b.body as string | null } : {}),
        ...(b.state !== undefined ? { state: b.state as "open" | "closed" } : {}),
        ...(typeof b.base === "string" ? { base: b.base } : {}),
      });
      return json(200, await renderPull(ctx.sandbox, ctx.repo, pull));
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
    auth: "installation",
    permission: READ,
    async handle(ctx) {
      const links = { baseUrl: ctx.sandbox.baseUrl, fullName: ctx.sandbox.store.fullName(ctx.repo) };
      return paginate(ctx, await pullFiles(ctx.repo, pullOf(ctx).pull, links));
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/pulls/{pull_number}/commits",
    auth: "installation",
    permission: READ,
    async handle(ctx) {
      const shas = await pullCommitShas(ctx.repo, pullOf(ctx).pull);
      const commits = await Promise.all(shas.map((sha) => readCommit(ctx.repo.gitDir, sha)));
      return paginate(
        ctx,
        commits.flatMap((c) => (c ? [renderCommit(ctx.sandbox, ctx.repo, c)] : [])),
      );
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/pulls/{pull_number}/merge",
    auth: "installation",
    permission: READ,
    handle(ctx) {
      if (!pullOf(ctx).pull.merged) throw notFound();
      return noContent();
    },
  },
  {
    op: "PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge",
    auth: "installation",
    permission: ["contents", "write"],
    async handle(ctx) {
      const b = ctx.body;
      const options: MergeOptions = {
        ...(typeof b.commit_title === "string" ? { commitTitle: b.commit_title } : {}),
        ...(typeof b.commit_message === "string" ? { commitMessage: b.commit_message } : {}),
        ...(typeof b.sha === "string" ? { sha: b.sha } : {}),
        ...(typeof b.merge_method === "string" ? { method: b.merge_method as MergeOptions["method"] } : {}),
      };
      return json(200, await mergePull(ctx.sandbox, ctx.repo, pullOf(ctx), actorOf(ctx), options));
    },
  },
];
