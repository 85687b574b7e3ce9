import type { IncomingHttpHeaders } from "node:http";
import type { Reply } from "../http/route.js";

/** The custom media types GitHub's git routes answer with instead of JSON. */
export type GitMedia = "raw" | "diff" | "patch" | "sha";

/**
 * Which custom media type the `Accept` header asks for, if any. GitHub takes both the versioned
 * (`application/vnd.github.v3.raw`, which Probot's config loader sends) and unversioned spellings, with an
 * optional `+json` suffix ignored.
 */
export function requestedMedia(headers: IncomingHttpHeaders): GitMedia | null {
  const accept = String(headers.accept ?? "");
  const match = /application\/vnd\.github(?:\.v3)?\.(raw|diff|patch|sha)\b/.exec(accept);
  return (match?.[1] as GitMedia | undefined) ?? null;
}

/** A text or bytes answer with GitHub's content type for that media type. */
export function mediaReply(kind: GitMedia, body: string | Buffer): Reply {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8");
  const type = kind === "raw" ? "application/vnd.github.raw" : `application/vnd.github.${kind}`;
  return { status: 200, raw, headers: { "content-type": `${type}; charset=utf-8` } };
}

/** GitHub's base64 in JSON bodies (blobs, contents): 60 characters a line, each line ending in `\n`. */
export function base64Lines(bytes: Buffer): string {
  return (bytes.toString("base64").match(/.{1,60}/g) ?? []).map((line) => `${line}\n`).join("");
}
