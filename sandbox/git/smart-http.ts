import type { IncomingMessage, ServerResponse } from "node:http";
import { basename, dirname } from "node:path";
import type { Sandbox } from "../sandbox.js";
import type { Repo } from "../state/model.js";
import { announcePush } from "./announce-push.js";
import { authorizeGit, GitAccessError } from "./git-access.js";
import { runHttpBackend } from "./http-backend.js";
import { listRefs, ZERO_SHA } from "./objects.js";
import { withRepoLock } from "./repo-lock.js";

export interface GitPath {
  owner: string;
  repo: string;
  /** What follows `<repo>.git`, e.g. `/info/refs`. */
  rest: string;
}

/** `/<owner>/<repo>.git/...` → the parts, or null for anything else. */
export function matchGitPath(pathname: string): GitPath | null {
  const match = /^\/([^/]+)\/([^/]+)\.git(\/.*)?$/.exec(pathname);
  if (!match) return null;
  return {
    owner: decodeURIComponent(match[1] as string),
    repo: decodeURIComponent(match[2] as string),
    rest: match[3] ?? "/",
  };
}

/**
 * git's smart HTTP protocol (clone, fetch, push) for sandbox repositories, served by `git http-backend`.
 * Credentials are checked as GitHub checks them (installation token as the Basic password); after a push the
 * moved refs are announced like any other ref change (`push` webhook, branch lifecycle).
 */
export async function handleGitHttp(
  sb: Sandbox,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  path: GitPath,
): Promise<void> {
  const service = serviceOf(req.method ?? "GET", path.rest, url.searchParams.get("service"));
  if (!service) return plain(res, 404, "Not Found\n");
  const repo = sb.store.repoByName(path.owner, path.repo);
  let access: ReturnType<typeof authorizeGit>;
  try {
    access = authorizeGit(sb, req.headers.authorization, repo, service === "receive-pack" ? "write" : "read");
  } catch (error) {
    if (!(error instanceof GitAccessError)) throw error;
    return plain(res, error.status, `${error.message}\n`, error.headers);
  }
  const target = repo as Repo;
  const cgi = {
    projectRoot: dirname(target.gitDir),
    pathInfo: `/${basename(target.gitDir)}${path.rest}`,
    query: url.search.slice(1),
    remoteUser: access.login,
  };
  if (service !== "receive-pack" || req.method !== "POST") {
    await runHttpBackend(req, res, cgi);
    return;
  }
  const pusher = access.user;
  if (!pusher) throw new Error("sandbox: a push was authorized without a user");
  // Under the repository's lock (shared with REST ref changes), so the refs seen before and after belong
  // to this push alone.
  await withRepoLock(target.gitDir, async () => {
    const before = await refMap(target);
    // The response stays open until the push is announced, so a client sees its webhooks once git returns.
    await runHttpBackend(req, res, cgi, async () => {
      const after = await refMap(target);
      await announcePush(sb, target, refUpdates(before, after), pusher);
    });
  });
}

type Service = "upload-pack" | "receive-pack";

/** The smart protocol's three requests; the dumb protocol (plain file reads) is not served, as on GitHub. */
function serviceOf(method: string, rest: string, query: string | null): Service | null {
  if (method === "GET" && rest === "/info/refs") {
    if (query === "git-upload-pack") return "upload-pack";
    if (query === "git-receive-pack") return "receive-pack";
    return null;
  }
  if (method === "POST" && rest === "/git-upload-pack") return "upload-pack";
  if (method === "POST" && rest === "/git-receive-pack") return "receive-pack";
  return null;
}

async function refMap(repo: Repo): Promise<Map<string, string>> {
  return new Map((await listRefs(repo.gitDir, "refs/")).map((r) => [r.ref, r.sha]));
}

function refUpdates(before: Map<string, string>, after: Map<string, string>) {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names]
    .map((ref) => ({ ref, before: before.get(ref) ?? ZERO_SHA, after: after.get(ref) ?? ZERO_SHA }))
    .filter((u) => u.before !== u.after);
}

function plain(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
  res.end(text);
}
