import { diffFiles, diffText, EMPTY_TREE_SHA } from "../git/diff.js";
import { mediaReply, requestedMedia } from "../git/media-type.js";
import { commitsBetween, listRefs, mergeBase, readCommit, resolveCommit } from "../git/objects.js";
import { renderCommit } from "../git/render-git.js";
import { runGit } from "../git/run-git.js";
import { HttpError, notFound } from "../http/errors.js";
import { paginate } from "../http/pagination.js";
import { json, type Route, type RouteContext } from "../http/route.js";
import { renderFullRepo } from "../render/core.js";

/** Repository, branches, commits and comparisons: GitHub's read views over the repository's git. */

const READ: Route["permission"] = ["contents", "read"];
/** GitHub shows at most this many commits in a comparison. */
const MAX_COMPARE_COMMITS = 250;

function api(ctx: RouteContext): string {
  return `${ctx.sandbox.baseUrl}/repos/${ctx.sandbox.store.fullName(ctx.repo)}`;
}

function web(ctx: RouteContext): string {
  return `${ctx.sandbox.baseUrl}/${ctx.sandbox.store.fullName(ctx.repo)}`;
}

function links(ctx: RouteContext) {
  return { baseUrl: ctx.sandbox.baseUrl, fullName: ctx.sandbox.store.fullName(ctx.repo) };
}

async function commitOrThrow(ctx: RouteContext, sha: string) {
  const commit = await readCommit(ctx.repo.gitDir, sha);
  if (!commit) throw new Error(`sandbox: ${sha} is not a commit`);
  return commit;
}

async function renderBranch(ctx: RouteContext, name: string, sha: string) {
  const self = `${api(ctx)}/branches/${name}`;
  return {
    name,
    commit: renderCommit(ctx.sandbox, ctx.repo, await commitOrThrow(ctx, sha)),
    _links: { html: `${web(ctx)}/tree/${name}`, self },
    protected: false,
    // An unprotected branch on GitHub still carries this stub.
    protection: {
      enabled: false,
      required_status_checks: { enforcement_level: "off", contexts: [], checks: [] },
    },
    protection_url: `${self}/protection`,
  };
}

export const repoRoutes: Route[] = [
  {
    op: "GET /repos/{owner}/{repo}",
    auth: "installation",
    permission: ["metadata", "read"],
    handle: (ctx) => json(200, renderFullRepo(ctx.sandbox, ctx.repo)),
  },
  {
    op: "GET /repos/{owner}/{repo}/branches",
    auth: "installation",
    permission: READ,
    async handle(ctx) {
      const heads = await listRefs(ctx.repo.gitDir, "refs/heads/");
      const branches = heads.map((r) => {
        const name = r.ref.slice("refs/heads/".length);
        return { name, commit: { sha: r.sha, url: `${api(ctx)}/commits/${r.sha}` }, protected: false };
      });
      return paginate(ctx, branches);
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/branches/{branch}",
    auth: "installation",
    permission: READ,
    async handle(ctx) {
      const name = ctx.params.branch ?? "";
      const ref = `refs/heads/${name}`;
      const found = (await listRefs(ctx.repo.gitDir, ref)).find((r) => r.ref === ref);
      if (!found) throw new HttpError(404, "Branch not found");
      return json(200, await renderBranch(ctx, name, found.sha));
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/commits",
    auth: "installation",
    permission: READ,
    async handle(ctx) {
      const start = await resolveCommit(ctx.repo.gitDir, ctx.query.get("sha") ?? ctx.repo.defaultBranch);
      if (!start) throw notFound();
      const args = [
        "rev-list",
        start,
        "--",
        ...(ctx.query.get("path") ? [ctx.query.get("path") as string] : []),
      ];
      const env = { GIT_LITERAL_PATHSPECS: "1" };
      const shas = (await runGit(ctx.repo.gitDir, args, { env })).toString().split("\n").filter(Boolean);
      const reply = paginate(ctx, shas);
      const page = reply.body as string[];
      const commits = await Promise.all(page.map(async (sha) => commitOrThrow(ctx, sha)));
      return { ...reply, body: commits.map((c) => renderCommit(ctx.sandbox, ctx.repo, c)) };
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/commits/{ref}",
    auth: "installation",
    permission: READ,
    async handle(ctx) {
      const name = ctx.params.ref ?? "";
      const sha = await resolveCommit(ctx.repo.gitDir, name);
      if (!sha) throw new HttpError(422, `No commit found for SHA: ${name}`);
      const commit = await commitOrThrow(ctx, sha);
      const base = commit.parents[0] ?? EMPTY_TREE_SHA;
      const media = requestedMedia(ctx.headers);
      if (media === "sha") return mediaReply("sha", sha);
      if (media === "diff") return mediaReply("diff", await diffText(ctx.repo.gitDir, base, sha));
      if (media === "patch") return mediaReply("patch", await formatPatch(ctx, ["--root", "-1", sha]));
      const files = await diffFiles(ctx.repo.gitDir, base, sha, links(ctx));
      return json(200, renderCommit(ctx.sandbox, ctx.repo, commit, files));
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/compare/{basehead}",
    auth: "installation",
    permission: READ,
    async handle(ctx) {
      const { gitDir } = ctx.repo;
      const basehead = ctx.params.basehead ?? "";
      const [baseName, headName] = basehead.includes("...") ? basehead.split("...") : basehead.split("..");
      // `owner:branch` names a branch in a fork; the sandbox has no forks, so the owner part is dropped.
      const strip = (name: string | undefined) => (name ?? "").replace(/^[^:]*:/, "");
      const base = await resolveCommit(gitDir, strip(baseName));
      const head = await resolveCommit(gitDir, strip(headName));
      if (!base || !head) throw notFound();
      const mb = await mergeBase(gitDir, base, head);
      if (!mb) throw new HttpError(404, `No common ancestor between ${baseName} and ${headName}.`);
      const media = requestedMedia(ctx.headers);
      if (media === "diff") return mediaReply("diff", await diffText(gitDir, mb, head));
      if (media === "patch") return mediaReply("patch", await formatPatch(ctx, [`${mb}..${head}`]));
      const ahead = await commitsBetween(gitDir, base, head);
      const behind = await commitsBetween(gitDir, head, base);
      const shown = await Promise.all(
        ahead.slice(0, MAX_COMPARE_COMMITS).map((sha) => commitOrThrow(ctx, sha)),
      );
      const html = `${web(ctx)}/compare/${basehead}`;
      const owner = ctx.sandbox.store.user(ctx.repo.ownerId).login;
      return json(200, {
        url: `${api(ctx)}/compare/${basehead}`,
        html_url: html,
        permalink_url: `${web(ctx)}/compare/${owner}:${base}...${owner}:${head}`,
        diff_url: `${html}.diff`,
        patch_url: `${html}.patch`,
        base_commit: renderCommit(ctx.sandbox, ctx.repo, await commitOrThrow(ctx, base)),
        merge_base_commit: renderCommit(ctx.sandbox, ctx.repo, await commitOrThrow(ctx, mb)),
        status: compareStatus(ahead.length, behind.length),
        ahead_by: ahead.length,
        behind_by: behind.length,
        total_commits: ahead.length,
        commits: shown.map((c) => renderCommit(ctx.sandbox, ctx.repo, c)),
        files: await diffFiles(gitDir, mb, head, links(ctx)),
      });
    },
  },
];

function compareStatus(ahead: number, behind: number): "identical" | "ahead" | "behind" | "diverged" {
  if (ahead === 0 && behind === 0) return "identical";
  if (behind === 0) return "ahead";
  if (ahead === 0) return "behind";
  return "diverged";
}

/** `git format-patch` text for a range, as `application/vnd.github.patch` returns it. */
async function formatPatch(ctx: RouteContext, revisions: string[]): Promise<string> {
  const args = ["format-patch", "--stdout", "--no-color", "--no-signature", ...revisions];
  return (await runGit(ctx.repo.gitDir, args)).toString("utf8");
}
