import { isTransient, retryAfterMs } from "../fleet/errors.js";

export interface RetryOptions {
  /** Tries in all, the first included. @defaultValue 4 */
  attempts?: number;
  /** First backoff; doubles each time. @defaultValue 500 ms */
  baseDelayMs?: number;
  /** A longer `retry-after` than this is not waited for here: the error goes up to the job's own retry. */
  maxWaitMs?: number;
}

/**
 * Runs one GitHub call (or a short idempotent group of them), trying again in place when GitHub answers with
 * a passing failure: 5xx, 429, a secondary rate limit with `retry-after`, a dropped connection. Retrying here
 * keeps a 502 on the last write from costing a whole agent run.
 */
export async function withRetries<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 4;
  const base = options.baseDelayMs ?? 500;
  const maxWait = options.maxWaitMs ?? 60_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const wait = retryAfterMs(error) ?? base * 2 ** (attempt - 1);
      if (attempt >= attempts || !isTransient(error) || wait > maxWait) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
