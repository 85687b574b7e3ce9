import type { Delivery } from "../sandbox/webhooks/webhooks.js";

const TIMEOUT_MS = 60_000;

/**
 * The first delivery that matches, and when the sandbox sent it (ms since the epoch), taken when it settles:
 * a caller that awaits several at once still gets each one's own time. Fails after a minute.
 */
export function nextDelivery(
  on: (listener: (d: Delivery) => void) => () => void,
  match: (d: Delivery) => boolean,
): Promise<{ delivery: Delivery; sentAt: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error("timed out waiting for a webhook"));
    }, TIMEOUT_MS);
    const off = on((d) => {
      if (!match(d)) return;
      clearTimeout(timer);
      off();
      resolve({ delivery: d, sentAt: Date.now() - d.durationMs });
    });
  });
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
