import { ProbotOctokit } from "probot";

/** An installation-authenticated Octokit as Probot builds it (REST methods under `.rest`, plus `paginate`). */
export type GitHub = InstanceType<typeof ProbotOctokit>;

/**
 * Probot's Octokit without request throttling and retries, for a GitHub stand-in on loopback (the sandbox in
 * tests, the demo and benchmarks), where GitHub's one-write-per-second pacing only adds waiting and Flotilla's
 * own retries (`withRetries`, job retries) are what is being tested. Never use it against github.com.
 *
 * A function, not an options object: Probot passes its own `throttle` options when it builds installation
 * clients, and a plain default would be replaced by them, leaving throttling on.
 */
export const UnthrottledOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  throttle: { ...(options.throttle as object), enabled: false },
  retry: { enabled: false },
}));
