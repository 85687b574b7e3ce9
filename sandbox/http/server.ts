import { randomBytes } from "node:crypto";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { authenticate, checkCallerKind, checkPermission, checkRepoAccess } from "../auth/authenticate.js";
import { handleDownload } from "../ci/artifact-downloads.js";
import { basicToken } from "../git/git-access.js";
import { handleGitHttp, matchGitPath } from "../git/smart-http.js";
import { handleWebFlow } from "../oauth/web-flow.js";
import { routeTable } from "../routes/index.js";
import type { Sandbox } from "../sandbox.js";
import { handleScriptingHttp } from "../scripting/http.js";
import { HttpError, notFound } from "./errors.js";
import { checkRequestBody, checkResponseBody, matchOperation } from "./openapi.js";
import { RateLimits } from "./rate-limits.js";
import type { Caller, Reply, RouteContext } from "./route.js";

const MAX_BODY_BYTES = 100 * 1024 * 1024;

export function createServer(sb: Sandbox): Server {
  const rateLimits = new RateLimits(sb.store);
  return createHttpServer((req, res) => {
    handle(sb, rateLimits, req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, errorReply(error));
      else res.destroy();
    });
  });
}

async function handle(sb: Sandbox, rateLimits: RateLimits, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? "/", sb.baseUrl);
  if (url.pathname.startsWith("/_sandbox/")) return handleScriptingHttp(sb, req, res, url);
  if (url.pathname.startsWith("/_downloads/")) return handleDownload(sb, req, res, url);
  if (url.pathname.startsWith("/login/oauth/")) return handleWebFlow(sb, req, res, url);
  const git = matchGitPath(url.pathname);
  if (git) {
    // Metered as `GIT <service>`: only a push writes; a clone's POST to upload-pack is a read.
    const service = url.searchParams.get("service") ?? git.rest.slice(1);
    const write = service === "git-receive-pack" && req.method === "POST";
    const token = sb.store.tokens.get(basicToken(req.headers.authorization) ?? "");
    const who = String(token?.installationId ?? "anonymous");
    if (/^git-(upload|receive)-pack$/.test(service))
      sb.meter.record(`GIT ${service}`, write ? "POST" : "GET", who);
    return handleGitHttp(sb, req, res, url, git);
  }
  send(res, await handleRest(sb, rateLimits, req, url));
}

/** One REST request, in GitHub's order: route, faults, credentials, repository, permission, body. */
async function handleRest(
  sb: Sandbox,
  rateLimits: RateLimits,
  req: IncomingMessage,
  url: URL,
): Promise<Reply> {
  const method = req.method ?? "GET";
  const matched = matchOperation(method, url.pathname);
  if (!matched) return errorReply(notFound());
  const route = routeTable.get(matched.key);
  if (!route) {
    // GitHub has this route; the sandbox does not serve it. Say so, instead of a bare 404 that hides it.
    return errorReply(
      new HttpError(404, "Not Found", { sandbox: `the sandbox does not serve ${matched.key} (yet)` }),
    );
  }
  let caller: Caller | undefined;
  try {
    await sb.faults.apply(matched.key);
    caller = authenticate(req.headers.authorization, sb.store);
    const limit = rateLimits.take(caller);
    sb.meter.record(matched.key, method, meterKey(caller));
    checkCallerKind(route, caller);
    const { owner, repo: repoName } = matched.params;
    const repo = owner && repoName ? sb.store.repoByName(owner, repoName) : undefined;
    if (owner && repoName) {
      if (!repo) throw notFound();
      checkRepoAccess(caller, repo, sb.store);
    }
    checkPermission(caller, route.permission);
    const body = await readJsonBody(req);
    const problem = checkRequestBody(matched, body);
    if (problem) {
      throw new HttpError(422, `Invalid request.\n\n${problem.message}`, {
        errors: [{ resource: "Request", field: problem.field, code: "invalid", message: problem.message }],
      });
    }
    const ctx: RouteContext = {
      sandbox: sb,
      caller,
      params: matched.params,
      query: url.searchParams,
      body: (body ?? {}) as Record<string, unknown>,
      headers: req.headers,
      repo: repo as RouteContext["repo"],
      url,
    };
    const reply = checkResponse(sb, matched.key, await route.handle(ctx));
    // A lost response: the request took effect, but the client only sees the fault.
    await sb.faults.apply(matched.key, "after");
    return withHeaders(reply, limit);
  } catch (error) {
    const reply = errorReply(error);
    return caller ? withHeaders(reply, rateLimits.peek(caller)) : reply;
  }
}

function meterKey(caller: Caller): string {
  if (caller.kind === "user") return `user:${caller.user.login}`;
  return caller.kind === "app" ? "app" : String(caller.installation.id);
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "Payload too large");
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "Problems parsing JSON");
  }
}

/** With validation on, a response that breaks GitHub's schema is the sandbox's bug: fail loudly. */
function checkResponse(sb: Sandbox, key: string, reply: Reply): Reply {
  if (!sb.validateResponses || reply.raw || reply.body === undefined) return reply;
  const problems = checkResponseBody(key, reply.status, reply.body);
  if (problems.length === 0) return reply;
  sb.responseProblems.push({ route: key, status: reply.status, problems });
  return {
    status: 500,
    body: { message: `sandbox response for ${key} breaks GitHub's schema: ${problems.join("; ")}`, problems },
  };
}

function withHeaders(reply: Reply, limit: Record<string, string>): Reply {
  return { ...reply, headers: { ...limit, ...reply.headers } };
}

function errorReply(error: unknown): Reply {
  if (error instanceof HttpError) return { status: error.status, body: error.body(), headers: error.headers };
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: { message: `sandbox error: ${message}` } };
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = {
    "x-github-request-id": randomBytes(8).toString("hex").toUpperCase(),
    "x-github-api-version-selected": "2022-11-28",
    ...reply.headers,
  };
  if (reply.raw) {
    res.writeHead(reply.status, { "content-length": String(reply.raw.length), ...headers });
    res.end(reply.raw);
    return;
  }
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}
