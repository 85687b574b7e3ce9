import type { IncomingMessage, ServerResponse } from "node:http";
import type { Sandbox } from "../sandbox.js";
import { acceptedRedirect, appByClientId, authorize, exchange, oauthError } from "./authorize.js";

/**
 * GitHub's web side of "Sign in with GitHub", for browsers and Apps: the authorize page (a person picks who
 * they are, standing in for GitHub's sign-in and consent screens), its redirect back with a code, and the
 * code's exchange for a user access token. Nothing here runs commands, so a browser may reach it.
 */
export async function handleWebFlow(sb: Sandbox, req: IncomingMessage, res: ServerResponse, url: URL) {
  const path = url.pathname;
  if (path === "/login/oauth/authorize" && req.method === "GET") return authorizePage(sb, res, url);
  if (path === "/login/oauth/authorize/continue" && req.method === "GET") return continueAs(sb, res, url);
  if (path === "/login/oauth/access_token" && req.method === "POST") return accessToken(sb, req, res, url);
  page(res, 404, "Not Found", "<p>There is no such page.</p>");
}

function authorizePage(sb: Sandbox, res: ServerResponse, url: URL) {
  const app = appByClientId(sb, url.searchParams.get("client_id"));
  if (!app) return page(res, 404, "Not Found", "<p>No application has that client_id.</p>");
  const redirect = acceptedRedirect(app, url.searchParams.get("redirect_uri"));
  if (!redirect) return mismatch(res, app.callbackUrl, url.searchParams.get("state"));
  const people = [...sb.store.users.values()].filter((u) => u.type === "User");
  const links = people.map((user) => {
    const next = new URL("/login/oauth/authorize/continue", sb.baseUrl);
    for (const name of ["client_id", "redirect_uri", "state"]) {
      const value = url.searchParams.get(name);
      if (value !== null) next.searchParams.set(name, value);
    }
    next.searchParams.set("login", user.login);
    return `<li><a href="${escapeHtml(next.pathname + next.search)}">Continue as ${escapeHtml(user.login)}</a></li>`;
  });
  page(
    res,
    200,
    `Sign in to GitHub to continue to ${app.name}`,
    `<p>${escapeHtml(app.name)} will know who you are and act with your access to repositories where it is installed.</p><ul>${links.join("")}</ul>`,
  );
}

function continueAs(sb: Sandbox, res: ServerResponse, url: URL) {
  const app = appByClientId(sb, url.searchParams.get("client_id"));
  if (!app) return page(res, 404, "Not Found", "<p>No application has that client_id.</p>");
  const state = url.searchParams.get("state");
  const redirect = acceptedRedirect(app, url.searchParams.get("redirect_uri"));
  if (!redirect) return mismatch(res, app.callbackUrl, state);
  let code: string;
  try {
    code = authorize(sb, app, url.searchParams.get("login") ?? "", redirect);
  } catch (error) {
    return page(res, 404, "Not Found", `<p>${escapeHtml((error as Error).message)}</p>`);
  }
  const back = new URL(redirect);
  back.searchParams.set("code", code);
  if (state !== null) back.searchParams.set("state", state);
  res.writeHead(302, { location: back.toString() });
  res.end();
}

/** GitHub sends the person back to the registered callback with the error, or shows it when there is none. */
function mismatch(res: ServerResponse, callbackUrl: string | null, state: string | null) {
  if (!callbackUrl)
    return page(
      res,
      400,
      "Application error",
      "<p>The redirect_uri is not associated with this application.</p>",
    );
  const back = new URL(callbackUrl);
  for (const [name, value] of Object.entries(oauthError("redirect_uri_mismatch")))
    back.searchParams.set(name, value);
  if (state !== null) back.searchParams.set("state", state);
  res.writeHead(302, { location: back.toString() });
  res.end();
}

async function accessToken(sb: Sandbox, req: IncomingMessage, res: ServerResponse, url: URL) {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  const params: Record<string, string> = Object.fromEntries(url.searchParams);
  try {
    if (/^application\/json\b/i.test(req.headers["content-type"] ?? ""))
      Object.assign(params, JSON.parse(text || "{}"));
    else Object.assign(params, Object.fromEntries(new URLSearchParams(text)));
  } catch {
    return send(res, req, 400, { error: "bad_request", error_description: "Problems parsing JSON" });
  }
  // GitHub answers 200 for a refused exchange too; the body says why.
  send(res, req, 200, exchange(sb, params));
}

/** JSON when asked for (`Accept: application/json`), else form-encoded, as GitHub answers. */
function send(res: ServerResponse, req: IncomingMessage, status: number, body: object): void {
  const json = (req.headers.accept ?? "").includes("application/json");
  const text = json
    ? JSON.stringify(body)
    : new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, String(v)])).toString();
  res.writeHead(status, {
    "content-type": json
      ? "application/json; charset=utf-8"
      : "application/x-www-form-urlencoded; charset=utf-8",
  });
  res.end(text);
}

function page(res: ServerResponse, status: number, title: string, body: string): void {
  const text = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
  res.writeHead(status, { "content-type": "text/html; charset=utf-8" });
  res.end(text);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
