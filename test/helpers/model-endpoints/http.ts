import type { IncomingMessage, ServerResponse } from "node:http";

/** A request's whole body as text. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** A JSON answer with the request-id header the provider's API sends (`request-id`, `x-request-id`). */
export function sendJson(res: ServerResponse, status: number, body: unknown, requestIdHeader: string): void {
  res.writeHead(status, { "content-type": "application/json", [requestIdHeader]: `req_${Date.now()}` });
  res.end(JSON.stringify(body));
}
