import type { IncomingMessage, ServerResponse } from "node:http";
import type { Sandbox } from "../sandbox.js";
import { actions, isAction } from "./index.js";

/**
 * `POST /_sandbox/<action>` with JSON arguments runs a scripting action for another process (the demo,
 * a benchmark, a shell). Loopback only, like the whole sandbox; `GET /_sandbox/` lists the actions.
 */
export async function handleScriptingHttp(sb: Sandbox, req: IncomingMessage, res: ServerResponse, url: URL) {
  const refusal = refuseBrowsers(sb, req);
  if (refusal) return reply(res, 403, { message: refusal });
  const name = url.pathname.slice("/_sandbox/".length);
  if (name === "" && req.method === "GET") return reply(res, 200, { actions: Object.keys(actions) });
  if (!isAction(name))
    return reply(res, 404, { message: `no scripting action "${name}"`, actions: Object.keys(actions) });
  if (req.method !== "POST") return reply(res, 405, { message: `use POST /_sandbox/${name}` });
  if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
    return reply(res, 415, {
      message: "send the action's arguments as JSON, with content-type: application/json",
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let args: unknown = {};
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    if (text.trim()) args = JSON.parse(text);
  } catch {
    return reply(res, 400, { message: "the body must be JSON: the action's arguments" });
  }
  try {
    const action = actions[name] as (sb: Sandbox, args: unknown) => unknown;
    const result = await action(sb, args);
    // An action's null is an answer (e.g. tokenInfo of a revoked token); only "nothing" becomes ok.
    return reply(res, 200, result === undefined ? { ok: true } : result);
  } catch (error) {
    return reply(res, 400, { message: error instanceof Error ? error.message : String(error) });
  }
}

/**
 * The scripting API can run commands (a CI command, for one), so no web page may reach it: a browser's
 * cross-site request carries an Origin (a script-free form post does too), and a DNS-rebinding attack carries
 * a foreign Host. Requiring JSON also means a browser would have to ask first (CORS preflight), which is
 * never granted. Returns why a request is refused, or null.
 */
function refuseBrowsers(sb: Sandbox, req: IncomingMessage): string | null {
  if (req.headers.origin !== undefined) return "the scripting API does not answer web pages (Origin header)";
  const port = new URL(sb.baseUrl).port;
  const allowed = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  if (!allowed.includes((req.headers.host ?? "").toLowerCase())) {
    return `the scripting API answers only on ${allowed.join(", ")}`;
  }
  return null;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_key, value) =>
    Buffer.isBuffer(value) ? value.toString("base64") : value,
  );
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(text);
}
