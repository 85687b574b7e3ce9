import { changeRef, RefChangeError } from "../git/change-ref.js";
import { isValidTreePath } from "../git/git-path.js";
import { actingUser, signatureOf } from "../git/identity.js";
import { makeCommit } from "../git/make-commit.js";
import { base64Lines, mediaReply, requestedMedia } from "../git/media-type.js";
import { entryAt, readBlob, readCommit, readTree, resolveCommit, type TreeEntry } from "../git/objects.js";
import { renderGitCommit } from "../git/render-git.js";
import { HttpError, notFound } from "../http/errors.js";
import { json, type Route, type RouteContext } from "../http/route.js";

/** GitHub's contents API: files and folders at a ref, and single-file commits. */

/** Above this GitHub leaves `content` empty with `encoding: "none"` (the raw media type still works). */
const MAX_INLINE_BYTES = 1024 * 1024;

const TYPE_NAMES: Record<string, string> = { tree: "dir", commit: "submodule" };

function typeOf(entry: TreeEntry): string {
  if (entry.mode === "120000") return "symlink";
  return TYPE_NAMES[entry.type] ?? "file";
}

/** The fields every contents item carries (file, folder entry, symlink, submodule). */
function describe(ctx: RouteContext, entry: TreeEntry, ref: string) {
  const { baseUrl, store } = ctx.sandbox;
  const fullName = store.fullName(ctx.repo);
  const path = entry.path.split("/").map(encodeURIComponent).join("/");
  const type = typeOf(entry);
  const self = `${baseUrl}/repos/${fullName}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const git = `${baseUrl}/repos/${fullName}/git/${entry.type === "tree" ? "trees" : "blobs"}/${entry.sha}`;
  const html = `${baseUrl}/${fullName}/${type === "dir" ? "tree" : "blob"}/${ref}/${path}`;
  return {
    type,
    size: entry.size ?? 0,
    name: entry.path.split("/").at(-1) ?? "",
    path: entry.path,
    sha: entry.sha,
    url: self,
    git_url: type === "submodule" ? null : git,
    html_url: type === "submodule" ? null : html,
    download_url: type === "file" || type === "symlink" ? `${baseUrl}/${fullName}/raw/${ref}/${path}` : null,
    _links: { self, git: type === "submodule" ? null : git, html: type === "submodule" ? null : html },
  };
}

async function getContents(ctx: RouteContext) {
  const { gitDir } = ctx.repo;
  const ref = ctx.query.get("ref") || ctx.repo.defaultBranch;
  const sha = await resolveCommit(gitDir, ref);
  if (!sha) throw new HttpError(404, `No commit found for the ref ${ref}`);
  const path = contentsPath(ctx);
  // A path no tree can hold (`../x`) is simply not there.
  const entry = path === null ? null : await entryAt(gitDir, sha, path);
  if (!entry) throw notFound();
  if (entry.type === "tree") {
    const children = await readTree(gitDir, entry.sha);
    const prefix = entry.path ? `${entry.path}/` : "";
    return json(
      200,
      children.map((child) => describe(ctx, { ...child, path: `${prefix}${child.path}` }, ref)),
    );
  }
  if (entry.type === "commit") return json(200, { ...describe(ctx, entry, ref), submodule_git_url: "" });
  const bytes = await readBlob(gitDir, entry.sha);
  if (requestedMedia(ctx.headers) === "raw") return mediaReply("raw", bytes);
  if (entry.mode === "120000")
    return json(200, { ...describe(ctx, entry, ref), target: bytes.toString("utf8") });
  const inline = bytes.length <= MAX_INLINE_BYTES;
  return json(200, {
    ...describe(ctx, entry, ref),
    content: inline ? base64Lines(bytes) : "",
    encoding: inline ? "base64" : "none",
  });
}

/** The `{path}` of a contents URL without trailing slashes, or null when git could not name such a path. */
function contentsPath(ctx: RouteContext): string | null {
  const path = (ctx.params.path ?? "").replace(/\/+$/, "");
  return path === "" || isValidTreePath(path) ? path : null;
}

type Identity = { name: string; email: string; date?: string } | undefined;

async function putContents(ctx: RouteContext) {
  const { gitDir } = ctx.repo;
  const path = contentsPath(ctx);
  if (!path) throw new HttpError(422, "path contains a malformed path component");
  const branch = String(ctx.body.branch ?? ctx.repo.defaultBranch);
  const parent = await resolveCommit(gitDir, `refs/heads/${branch}`);
  if (!parent) throw new HttpError(404, `Branch ${branch} not found`);
  const existing = await entryAt(gitDir, parent, path);
  if (existing && existing.type !== "blob") throw new HttpError(422, `${path} is a directory`);
  if (existing && ctx.body.sha === undefined)
    throw new HttpError(422, `Invalid request.\n\n"sha" wasn't supplied.`);
  if (existing && ctx.body.sha !== existing.sha)
    throw new HttpError(409, `${path} does not match ${ctx.body.sha}`);
  const content = Buffer.from(String(ctx.body.content), "base64");
  const now = ctx.sandbox.store.nowIso();
  const given = (p: Identity) => (p ? { name: p.name, email: p.email, date: p.date ?? now } : undefined);
  const committer =
    given(ctx.body.committer as Identity) ?? signatureOf(actingUser(ctx.sandbox, ctx.caller), now);
  const author = given(ctx.body.author as Identity) ?? committer;
  const mode = existing?.mode === "100755" ? "100755" : "100644";
  const sha = await makeCommit(gitDir, {
    parent,
    files: { [path]: { content, mode } },
    message: String(ctx.body.message),
    author,
    committer,
  });
  try {
    const ref = `refs/heads/${branch}`;
    await changeRef(ctx.sandbox, ctx.repo, { ref, sha, kind: "update" }, actingUser(ctx.sandbox, ctx.caller));
  } catch (error) {
    // The branch moved between our read and our write: GitHub answers 409 for this race.
    if (error instanceof RefChangeError)
      throw new HttpError(409, `${path} does not match ${ctx.body.sha ?? ""}`);
    throw error;
  }
  const commit = await readCommit(gitDir, sha);
  const written = await entryAt(gitDir, sha, path);
  if (!commit || !written) throw new Error("sandbox: the commit just made cannot be read");
  return json(existing ? 200 : 201, {
    content: describe(ctx, written, branch),
    commit: renderGitCommit(ctx.sandbox, ctx.repo, commit),
  });
}

export const contentRoutes: Route[] = [
  {
    op: "GET /repos/{owner}/{repo}/contents/{path}",
    auth: "installation",
    permission: ["contents", "read"],
    handle: getContents,
  },
  {
    op: "PUT /repos/{owner}/{repo}/contents/{path}",
    auth: "installation",
    permission: ["contents", "write"],
    handle: putContents,
  },
];
