import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Every dashboard response: no caching of anyone's view, no framing, and a policy that lets the page load
 * only its own stylesheet and script, so even markup that slipped through escaping could run nothing.
 */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
} as const;

export function sendPage(
  res: ServerResponse,
  status: number,
  page: string,
  headers: Record<string, string | string[]> = {},
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    "content-type": "text/html; charset=utf-8",
    "content-length": String(Buffer.byteLength(page)),
    ...headers,
  });
  res.end(page);
}

/** 303: after a form or a sign-in, the browser loads the next page with GET. */
export function redirect(
  res: ServerResponse,
  location: string,
  headers: Record<string, string | string[]> = {},
) {
  res.writeHead(303, { ...SECURITY_HEADERS, location, ...headers });
  res.end();
}

export function startEventStream(res: ServerResponse): void {
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    "content-type": "text/event-stream; charset=utf-8",
    connection: "keep-alive",
    // Proxies such as nginx would otherwise hold the stream back in their buffers.
    "x-accel-buffering": "no",
  });
  res.write("retry: 3000\n\n");
}

export function cookiesOf(req: IncomingMessage): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0) cookies[part.slice(0, at).trim()] = decodeURIComponent(part.slice(at + 1).trim());
  }
  return cookies;
}

/** A cookie only the dashboard's own requests carry, out of scripts' reach; `maxAge` 0 removes it. */
export function cookie(name: string, value: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    "Path=/fleet",
    `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
    "HttpOnly",
    "SameSite=Lax",
    ...(secure ? ["Secure"] : []),
  ].join("; ");
}

const MAX_FORM_BYTES = 16 * 1024;

/** An `application/x-www-form-urlencoded` body; anything else, or too much, is no form. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  if (!(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

/** A path inside the dashboard to return to; anything else (another site, `//host`) becomes `/fleet`. */
export function dashboardPath(path: string | null | undefined): string {
  return path && /^\/fleet(?:[/?#]|$)/.test(path) && !path.includes("\\") ? path : "/fleet";
}
