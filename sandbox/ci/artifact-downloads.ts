import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { zipSync } from "fflate";
import type { Sandbox } from "../sandbox.js";
import type { Artifact } from "../state/model.js";

/** GitHub's redirect for an artifact download is valid for one minute. */
const LINK_TTL_MS = 60_000;
const PREFIX = "/_downloads/artifacts/";

type Link = { artifact: Artifact; expiresAt: number };

const links = new WeakMap<Sandbox, Map<string, Link>>();

function isExpired(sb: Sandbox, link: Link): boolean {
  return link.expiresAt <= sb.store.now();
}

/** A short-lived, unauthenticated URL that serves the artifact's zip (GitHub's signed blob URL). */
export function downloadUrl(sb: Sandbox, artifact: Artifact): string {
  let table = links.get(sb);
  if (!table) {
    table = new Map();
    links.set(sb, table);
  }
  // Expired links are forgotten here and on lookup, so the table holds only live ones.
  for (const [token, link] of table) if (isExpired(sb, link)) table.delete(token);
  const token = randomBytes(16).toString("hex");
  table.set(token, { artifact, expiresAt: sb.store.now() + LINK_TTL_MS });
  return `${sb.baseUrl}${PREFIX}${token}/${encodeURIComponent(artifact.name)}.zip`;
}

export function zipArtifact(artifact: Artifact): Buffer {
  const entries = Object.fromEntries(
    Object.entries(artifact.files).map(([path, bytes]) => [path, new Uint8Array(bytes)]),
  );
  return Buffer.from(zipSync(entries));
}

/** Serves `GET /_downloads/artifacts/<token>/<name>.zip`; 404 once the link expired or never existed. */
export function handleDownload(sb: Sandbox, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const token = url.pathname.slice(PREFIX.length).split("/")[0] ?? "";
  const table = links.get(sb);
  let link = table?.get(token);
  if (link && isExpired(sb, link)) {
    table?.delete(token);
    link = undefined;
  }
  if (req.method !== "GET" || !link || link.artifact.expired) {
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("Not Found");
    return;
  }
  const zip = zipArtifact(link.artifact);
  res.writeHead(200, {
    "content-type": "application/zip",
    "content-length": String(zip.length),
    "content-disposition": `attachment; filename=${encodeURIComponent(link.artifact.name)}.zip`,
  });
  res.end(zip);
}
