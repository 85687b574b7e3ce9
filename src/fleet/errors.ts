import { httpStatus } from "../publish/request-error.js";

/**
 * The errors that decide retry or give up. A task step throws `PermanentError` for what another try cannot
 * fix (the message is shown to the person who asked); anything `isTransient` says is passing (GitHub 5xx,
 * rate limits, dropped connections) is retried with backoff; other errors are bugs or bad input and end the
 * task rather than run the agent again and again.
 */
export class PermanentError extends Error {
  override name = "PermanentError";
}

/** The worker is shutting down mid-run; the job goes back to the queue for another worker, nothing is recorded. */
export class WorkerStoppingError extends Error {
  override name = "WorkerStoppingError";
  constructor() {
    super("the worker stopped while the agent was running; another worker will run it");
  }
}

/** Something else holds what this step needs for a moment (another look at the same head): try again soon. */
export class BusyError extends Error {
  override name = "BusyError";
}

const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

interface HttpishError {
  code?: string;
  message?: string;
  cause?: unknown;
  response?: { headers?: Record<string, string | undefined> };
}

/**
 * A failure whose message is meant for the person who asked: ours, or the runner's (an unknown adapter, a
 * missing secret), which marks its errors `permanent` rather than import the worker's classes.
 */
export function isPermanent(error: unknown): boolean {
  return error instanceof PermanentError || (error as { permanent?: unknown } | null)?.permanent === true;
}

export function isTransient(error: unknown): boolean {
  if (error instanceof WorkerStoppingError || error instanceof BusyError) return true;
  if (isPermanent(error) || typeof error !== "object" || error === null) return false;
  const status = httpStatus(error);
  if (status !== undefined) {
    if (status >= 500 || status === 429) return true;
    return status === 403 && retryAfterMs(error) !== undefined;
  }
  const e = error as HttpishError;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  // ioredis while reconnecting, and fetch's wrapper around a socket error.
  if (/Connection is closed|Stream isn't writeable|ECONNREFUSED|fetch failed/.test(e.message ?? ""))
    return true;
  return e.cause !== undefined && isTransient(e.cause);
}

/** GitHub's `retry-after`, or a reset time for an exhausted primary rate limit, in milliseconds. */
export function retryAfterMs(error: unknown): number | undefined {
  const headers = (error as HttpishError).response?.headers ?? {};
  const retryAfter = headers["retry-after"];
  if (retryAfter !== undefined && /^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
  if (headers["x-ratelimit-remaining"] === "0" && headers["x-ratelimit-reset"]) {
    return Math.max(0, Number(headers["x-ratelimit-reset"]) * 1000 - Date.now());
  }
  return undefined;
}
