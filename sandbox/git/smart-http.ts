import type { IncomingMessage, ServerResponse } from "node:http";
import type { Sandbox } from "../sandbox.js";

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

/** git's smart HTTP protocol (clone, fetch, push) for sandbox repositories. */
export async function handleGitHttp(
  _sb: Sandbox,
  _req: IncomingMessage,
  res: ServerResponse,
  _url: URL,
  _path: GitPath,
): Promise<void> {
  res.writeHead(501, { "content-type": "text/plain" });
  res.end("git smart HTTP is not served yet\n");
}
