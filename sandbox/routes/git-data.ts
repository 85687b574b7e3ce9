import { buildTree, type TreeChange, TreeChangeError } from "../git/build-tree.js";
import { changeRef, fullRefName, RefChangeError } from "../git/change-ref.js";
import { actingUser, signatureOf } from "../git/identity.js";
import { base64Lines } from "../git/media-type.js";
import { listRefs, objectType, readBlob, readCommit, readTree, refSha, writeBlob } from "../git/objects.js";
import { renderGitCommit, renderRef } from "../git/render-git.js";
import { signatureEnv } from "../git/repository.js";
import { GitError, runGit } from "../git/run-git.js";
import { HttpError, notFound } from "../http/errors.js";
import { json, noContent, type Route, type RouteContext } from "../http/route.js";

/** GitHub's Git Data API: blobs, trees, commits and refs, as real objects in the repository's bare git. */

const READ: Route["permission"] = ["contents", "read"];
const WRITE: Route["permission"] = ["contents", "write"];

/** GitHub's 422s in the Git Data API carry only a message. */
const unprocessable = (message: string) => new HttpError(422, message);

function api(ctx: RouteContext): string {
  return `${ctx.sandbox.baseUrl}/repos/${ctx.sandbox.store.fullName(ctx.repo)}`;
}

async function renderTreeOf(ctx: RouteContext, sha: string, recursive: boolean) {
  const entries = await readTree(ctx.repo.gitDir, sha, recursive);
  return {
    sha,
    url: `${api(ctx)}/git/trees/${sha}`,
    tree: entries.map((e) => ({
      path: e.path,
      mode: e.mode,
      type: e.type,
      sha: e.sha,
      ...(e.size !== undefined ? { size: e.size } : {}),
      ...(e.type === "commit"
        ? {}
        : { url: `${api(ctx)}/git/${e.type === "tree" ? "trees" : "blobs"}/${e.sha}` }),
    })),
    truncated: false,
  };
}

/** What a ref route names, `heads/main`, resolved in the repository; 404 when it is not there. */
async function existingRef(ctx: RouteContext) {
  const ref = fullRefName(ctx.params.ref ?? "");
  const found = (await listRefs(ctx.repo.gitDir, ref)).find((r) => r.ref === ref);
  if (!found) throw notFound();
  return found;
}

function refError(error: unknown): never {
  if (error instanceof RefChangeError) throw unprocessable(error.message);
  throw error;
}

export const gitDataRoutes: Route[] = [
  {
    op: "POST /repos/{owner}/{repo}/git/blobs",
    auth: "installation",
    permission: WRITE,
    async handle(ctx) {
      const encoding = String(ctx.body.encoding ?? "utf-8").toLowerCase();
      if (encoding !== "utf-8" && encoding !== "utf8" && encoding !== "base64")
        throw unprocessable(`encoding must be either 'utf-8' or 'base64', got ${encoding}`);
      const content = String(ctx.body.content);
      const bytes = encoding === "base64" ? Buffer.from(content, "base64") : Buffer.from(content, "utf8");
      const sha = await writeBlob(ctx.repo.gitDir, bytes);
      return json(
        201,
        { sha, url: `${api(ctx)}/git/blobs/${sha}` },
        { location: `${api(ctx)}/git/blobs/${sha}` },
      );
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/git/blobs/{file_sha}",
    auth: "installation",
    permission: READ,
    async handle(ctx) {
      const sha = ctx.params.file_sha ?? "";
      if ((await objectType(ctx.repo.gitDir, sha)) !== "blob") throw notFound();
      const bytes = await readBlob(ctx.repo.gitDir, sha);
      return json(200, {
        sha,
        node_id: Buffer.from(`Blob:${sha}`).toString("base64"),
        size: bytes.length,
        url: `${api(ctx)}/git/blobs/${sha}`,
        content: base64Lines(bytes),
        encoding: "base64",
      });
    },
  },
  {
    op: "POST /repos/{owner}/{repo}/git/trees",
    auth: "installation",
    permission: WRITE,
    async handle(ctx) {
      const base = ctx.body.base_tree as string | undefined;
      if (base !== undefined && (await objectType(ctx.repo.gitDir, base)) !== "tree")
        throw unprocessable("Invalid tree info");
      const changes = ctx.body.tree as TreeChange[];
      for (const change of changes) {
        if (typeof change.path !== "string" || typeof change.mode !== "string")
          throw unprocessable("Must supply a valid tree.path and tree.mode");
        if (change.sha === undefined && change.content === undefined)
          throw unprocessable("Must supply either tree.sha or tree.content");
      }
      try {
        const sha = await buildTree(ctx.repo.gitDir, base ?? null, changes);
        return json(201, await renderTreeOf(ctx, sha, false), { location: `${api(ctx)}/git/trees/${sha}` });
      } catch (error) {
        if (error instanceof TreeChangeError) throw unprocessable(error.message);
        // Whatever else git refused is the caller's tree; its stderr is not for the response body.
        if (error instanceof GitError) throw unprocessable("GitRPC::BadObjectState");
        throw error;
      }
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/git/trees/{tree_sha}",
    auth: "installation",
    permission: READ,
    async handle(ctx) {
      // GitHub takes a tree sha, a commit sha or a branch name here.
      const out = await runGit(
        ctx.repo.gitDir,
        ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ctx.params.tree_sha}^{tree}`],
        { okExitCodes: [1, 128] },
      );
      const sha = out.toString().trim();
      if (!sha) throw notFound();
      return json(200, await renderTreeOf(ctx, sha, ctx.query.has("recursive")));
    },
  },
  {
    op: "POST /repos/{owner}/{repo}/git/commits",
    auth: "installation",
    permission: WRITE,
    async handle(ctx) {
      const { gitDir } = ctx.repo;
      const tree = String(ctx.body.tree);
      if ((await objectType(gitDir, tree)) !== "tree") throw unprocessable("Tree SHA does not exist");
      const parents = (ctx.body.parents as string[] | undefined) ?? [];
      for (const parent of parents) {
        if ((await objectType(gitDir, parent)) !== "commit")
          throw unprocessable("Parent SHA does not exist or is not a commit object");
      }
      const now = ctx.sandbox.store.nowIso();
      type Given = { name: string; email: string; date?: string } | undefined;
      const given = (p: Given) => (p ? { name: p.name, email: p.email, date: p.date ?? now } : undefined);
      const author = given(ctx.body.author as Given) ?? signatureOf(actingUser(ctx.sandbox, ctx.caller), now);
      const committer = given(ctx.body.committer as Given) ?? author;
      const args = ["commit-tree", tree, ...parents.flatMap((p) => ["-p", p])];
      // The message goes in on stdin, so nothing in it can be read as an option.
      const out = await runGit(gitDir, args, {
        input: String(ctx.body.message),
        env: signatureEnv(author, committer),
      });
      const commit = await readCommit(gitDir, out.toString().trim());
      if (!commit) throw new Error("commit-tree wrote no commit");
      const body = renderGitCommit(ctx.sandbox, ctx.repo, commit);
      return json(201, body, { location: body.url });
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/git/commits/{commit_sha}",
    auth: "installation",
    permission: READ,
    async handle(ctx) {
      const commit = await readCommit(ctx.repo.gitDir, ctx.params.commit_sha ?? "");
      if (!commit) throw notFound();
      return json(200, renderGitCommit(ctx.sandbox, ctx.repo, commit));
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/git/ref/{ref}",
    auth: "installation",
    permission: READ,
    async handle(ctx) {
      return json(200, renderRef(ctx.sandbox, ctx.repo, await existingRef(ctx)));
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/git/matching-refs/{ref}",
    auth: "installation",
    permission: READ,
    async handle(ctx) {
      // A prefix of the name, not of path components: `heads/feat` matches `refs/heads/feature-x`.
      const prefix = fullRefName(ctx.params.ref ?? "");
      const refs = (await listRefs(ctx.repo.gitDir, "refs/")).filter((r) => r.ref.startsWith(prefix));
      return json(
        200,
        refs.map((r) => renderRef(ctx.sandbox, ctx.repo, r)),
      );
    },
  },
  {
    op: "POST /repos/{owner}/{repo}/git/refs",
    auth: "installation",
    permission: WRITE,
    async handle(ctx) {
      const ref = String(ctx.body.ref);
      const sha = String(ctx.body.sha);
      await changeRef(
        ctx.sandbox,
        ctx.repo,
        { ref, sha, kind: "create" },
        actingUser(ctx.sandbox, ctx.caller),
      ).catch(refError);
      const created = (await listRefs(ctx.repo.gitDir, ref)).find((r) => r.ref === ref);
      if (!created) throw new Error(`ref ${ref} vanished after creation`);
      const body = renderRef(ctx.sandbox, ctx.repo, created);
      return json(201, body, { location: body.url });
    },
  },
  {
    op: "PATCH /repos/{owner}/{repo}/git/refs/{ref}",
    auth: "installation",
    permission: WRITE,
    async handle(ctx) {
      const ref = fullRefName(ctx.params.ref ?? "");
      const change = {
        ref,
        sha: String(ctx.body.sha),
        kind: "update" as const,
        force: ctx.body.force === true,
      };
      await changeRef(ctx.sandbox, ctx.repo, change, actingUser(ctx.sandbox, ctx.caller)).catch(refError);
      const sha = await refSha(ctx.repo.gitDir, ref);
      const type = sha ? ((await objectType(ctx.repo.gitDir, sha)) ?? "commit") : "commit";
      return json(200, renderRef(ctx.sandbox, ctx.repo, { ref, sha: sha ?? change.sha, type }));
    },
  },
  {
    op: "DELETE /repos/{owner}/{repo}/git/refs/{ref}",
    auth: "installation",
    permission: WRITE,
    async handle(ctx) {
      const ref = fullRefName(ctx.params.ref ?? "");
      await changeRef(
        ctx.sandbox,
        ctx.repo,
        { ref, sha: null, kind: "delete" },
        actingUser(ctx.sandbox, ctx.caller),
      ).catch(refError);
      return noContent();
    },
  },
];
