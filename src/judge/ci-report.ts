/**
 * What CI said about the pull request's head commit, as the judge and the gate see it: GitHub's check runs
 * and commit statuses reduced to one list. Flotilla's own checks (the judge, the gate) are left out by the
 * code that reads them, so that the gate never waits on itself.
 */

/** One CI verdict on a commit: a check run (not Flotilla's own) or a commit status context. */
export interface CiCheck {
  name: string;
  kind: "check" | "status";
  state: "pending" | "passed" | "failed";
  /** GitHub's conclusion or status state as given (success, failure, timed_out, error, …). */
  conclusion?: string;
  url?: string;
  /** For failed ones: the end of what the check reported (its output text/summary, annotations), untrusted. */
  details?: string;
}

export interface CiReport {
  checks: CiCheck[];
}

/** The checks that have not finished: the gate cannot pass while any is left. */
export function pendingChecks(report: CiReport): CiCheck[] {
  return report.checks.filter((check) => check.state === "pending");
}

/** The checks that finished and failed: the gate fails while any is left, whatever the judge says. */
export function failedChecks(report: CiReport): CiCheck[] {
  return report.checks.filter((check) => check.state === "failed");
}
