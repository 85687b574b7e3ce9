import { createHmac } from "node:crypto";

/** `X-Hub-Signature-256`: HMAC-SHA256 of the exact body bytes with the App's webhook secret. */
export function signatureSha256(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** `X-Hub-Signature`: the legacy SHA-1 header GitHub still sends beside the SHA-256 one. */
export function signatureSha1(secret: string, body: string): string {
  return `sha1=${createHmac("sha1", secret).update(body).digest("hex")}`;
}
