import { HttpError } from "./errors.js";

export type FaultKind = "500" | "502" | "secondary-rate-limit" | "429";

export interface FaultRule {
  /** A route key (`POST /repos/{owner}/{repo}/issues`) or `*` for every route. */
  route: string;
  /** What to answer instead of the real response; omit for latency only. */
  kind?: FaultKind;
  /** Fail this share of matching requests, 0..1 (drawn from the sandbox's seeded random source). */
  rate?: number;
  /** Fail exactly the next N matching requests, then stop (deterministic, for tests). */
  times?: number;
  /** Seconds for the `retry-after` header of rate-limit faults. Default 1. */
  retryAfter?: number;
  /** Added latency for matching requests, failed or not. */
  latencyMs?: number;
  /**
   * Answer with the fault only after the request took effect: the write is done, its response is lost (a
   * proxy's 502, a timeout), so a client that retries must find what it already made.
   */
  afterHandling?: boolean;
}

/** `before` a request is handled, or `after` it took effect (rules with `afterHandling`). */
export type FaultPhase = "before" | "after";

/** A small seeded generator (mulberry32) so that a fault rate gives the same run twice. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Per-route fault injection: server errors, rate limits and latency, as GitHub produces them. */
export class Faults {
  private rules: FaultRule[] = [];
  private random: () => number;

  constructor(seed = 1) {
    this.random = seededRandom(seed);
  }

  add(rule: FaultRule): void {
    this.rules.push({ ...rule });
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /**
   * Applies the rules for one request in one phase: before handling, waits for latency, then throws the fault
   * if one fires; after handling, throws the fault of an `afterHandling` rule if one fires.
   */
  async apply(routeKey: string, phase: FaultPhase = "before"): Promise<void> {
    const matching = this.rules.filter((r) => r.route === "*" || r.route === routeKey);
    const latency = phase === "before" ? Math.max(0, ...matching.map((r) => r.latencyMs ?? 0)) : 0;
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    for (const rule of matching) {
      if (!rule.kind || (rule.afterHandling === true) !== (phase === "after")) continue;
      if (rule.times !== undefined) {
        if (rule.times <= 0) continue;
        rule.times -= 1;
        throw faultError(rule);
      }
      if (rule.rate !== undefined && this.random() < rule.rate) throw faultError(rule);
    }
  }
}

function faultError(rule: FaultRule): HttpError {
  const retryAfter = String(rule.retryAfter ?? 1);
  switch (rule.kind) {
    case "502":
      return new HttpError(502, "Server Error");
    case "secondary-rate-limit":
      return new HttpError(
        403,
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.",
        {},
        { "retry-after": retryAfter },
      );
    case "429":
      return new HttpError(429, "Too Many Requests", {}, { "retry-after": retryAfter });
    default:
      return new HttpError(500, "Server Error");
  }
}
