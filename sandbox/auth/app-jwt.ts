import { createVerify } from "node:crypto";
import type { App } from "../state/model.js";

const MAX_LIFETIME_S = 10 * 60;
/** GitHub tolerates a little clock drift; Octokit back-dates `iat` by 30 s for the same reason. */
const DRIFT_S = 60;

/**
 * Verifies an App JWT (RS256, `iss` = the App id or client id, at most 10 minutes long) against the public
 * keys of the sandbox's Apps. Returns the App, or a reason for the 401 GitHub would answer.
 */
export function verifyAppJwt(token: string, apps: Iterable<App>, nowMs: number): App | { error: string } {
  const parts = token.split(".");
  if (parts.length !== 3) return { error: "A JSON web token could not be decoded" };
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  let header: { alg?: string };
  let payload: { iat?: number; exp?: number; iss?: string | number };
  try {
    header = JSON.parse(Buffer.from(headerPart, "base64url").toString("utf8"));
    payload = JSON.parse(Buffer.from(payloadPart, "base64url").toString("utf8"));
  } catch {
    return { error: "A JSON web token could not be decoded" };
  }
  if (header.alg !== "RS256") return { error: "'Authorization' header is using an unsupported algorithm" };
  const app = [...apps].find((a) => String(a.id) === String(payload.iss) || a.clientId === payload.iss);
  if (!app) return { error: "'Issuer' claim ('iss') must be an Integer" };
  const verifier = createVerify("RSA-SHA256");
  verifier.update(`${headerPart}.${payloadPart}`);
  if (!verifier.verify(app.publicKey, Buffer.from(signaturePart, "base64url"))) {
    return { error: "A JSON web token could not be decoded" };
  }
  const now = Math.floor(nowMs / 1000);
  if (typeof payload.iat !== "number" || typeof payload.exp !== "number") {
    return {
      error:
        "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
    };
  }
  if (payload.exp < now)
    return {
      error:
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    };
  if (payload.iat > now + DRIFT_S)
    return {
      error:
        "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
    };
  if (payload.exp - payload.iat > MAX_LIFETIME_S + DRIFT_S) {
    return { error: "'Expiration time' claim ('exp') is too far in the future" };
  }
  return app;
}
