import { spawn } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";

/** A clone of a big repository may take a while; a backend stuck longer than this is killed. */
const BACKEND_TIMEOUT_MS = 10 * 60 * 1000;

export interface CgiRequest {
  /** Folder the repository sits in (`GIT_PROJECT_ROOT`). */
  projectRoot: string;
  /** `/<name>.git/info/refs` and the like, relative to the project root. */
  pathInfo: string;
  query: string;
  /** Who is pushing, for git's reflog; empty for anonymous reads. */
  remoteUser: string;
}

/**
 * Runs `git http-backend` as a CGI program for one request: the request body streams in, CGI headers are
 * parsed from the start of its output and the rest streams out. The environment is an allowlist: nothing
 * of the sandbox's own environment (or the user's git config) reaches git. `beforeEnd` runs after git
 * exited successfully and before the response ends.
 */
export function runHttpBackend(
  req: IncomingMessage,
  res: ServerResponse,
  cgi: CgiRequest,
  beforeEnd?: () => Promise<void>,
): Promise<void> {
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(", ") : (value ?? "");
  };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: "/nonexistent",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_PROJECT_ROOT: cgi.projectRoot,
    GIT_HTTP_EXPORT_ALL: "1",
    PATH_INFO: cgi.pathInfo,
    QUERY_STRING: cgi.query,
    REQUEST_METHOD: req.method ?? "GET",
    CONTENT_TYPE: header("content-type"),
    REMOTE_USER: cgi.remoteUser,
    REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
    // git compresses request bodies and negotiates protocol v2 through these headers.
    HTTP_CONTENT_ENCODING: header("content-encoding"),
    GIT_PROTOCOL: header("git-protocol"),
  };
  if (req.headers["content-length"]) env.CONTENT_LENGTH = header("content-length");
  return new Promise((resolve, reject) => {
    // Own process group, so a timeout kills git and anything it started (upload-pack, pack-objects).
    const child = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "pipe"], detached: true });
    const timer = setTimeout(() => killGroup(child.pid), BACKEND_TIMEOUT_MS);
    const stderr: Buffer[] = [];
    let pending = Buffer.alloc(0);
    let headersDone = false;
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.stdout.on("data", (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      pending = Buffer.concat([pending, chunk]);
      const parsed = parseCgiHeaders(pending);
      if (!parsed) return;
      headersDone = true;
      res.writeHead(parsed.status, parsed.headers);
      if (parsed.body.length > 0) res.write(parsed.body);
    });
    req.pipe(child.stdin);
    child.stdin.on("error", () => {
      // git may stop reading early (a refused push); its exit status and output say what happened.
    });
    // The client went away before the answer was complete: stop git instead of letting it run on.
    res.on("close", () => {
      if (!res.writableFinished) killGroup(child.pid);
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const finish = async () => {
        if (!headersDone) {
          const message = Buffer.concat(stderr).toString("utf8") || `git http-backend exited ${code}`;
          res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
          res.end(`${message}\n`);
          return;
        }
        if (code === 0 && beforeEnd) await beforeEnd();
        res.end();
      };
      finish().then(resolve, (error: unknown) => {
        res.destroy();
        reject(error);
      });
    });
  });
}

/** `Status: 200 OK\r\nContent-Type: …\r\n\r\n<body>` → status, headers and the body bytes so far. */
function parseCgiHeaders(
  data: Buffer,
): { status: number; headers: Record<string, string>; body: Buffer } | null {
  const crlf = data.indexOf("\r\n\r\n");
  const lf = data.indexOf("\n\n");
  const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
  if (end < 0) return null;
  const separator = end === crlf ? 4 : 2;
  const headers: Record<string, string> = {};
  let status = 200;
  for (const line of data.subarray(0, end).toString("latin1").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "status") status = Number.parseInt(value, 10) || 200;
    else headers[name] = value;
  }
  return { status, headers, body: data.subarray(end + separator) };
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}
