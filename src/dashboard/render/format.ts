import { formatDuration } from "../../publish/format-duration.js";
import type { TaskRow } from "../fleet-rows.js";

/** A task's state in words, as its badge shows it. */
export const STATE_LABELS: Record<TaskRow["state"], string> = {
  queued: "queued",
  dispatched: "starting",
  running: "running",
  collecting: "collecting",
  publishing: "publishing",
  checking: "checking",
  judging: "judging",
  ready: "ready",
  "changes-requested": "changes requested",
  "no-changes": "no changes",
  candidate: "race candidate",
  "waiting-budget": "waiting for budget",
  failed: "failed",
  cancelled: "cancelled",
  "timed-out": "timed out",
  stopping: "stopping",
};

/** The badge's colour family: at work, waiting, good, bad or ended. */
export function stateTone(state: TaskRow["state"]): "busy" | "wait" | "good" | "bad" | "done" {
  switch (state) {
    case "running":
    case "dispatched":
    case "collecting":
    case "publishing":
    case "checking":
    case "judging":
    case "stopping":
      return "busy";
    case "queued":
    case "waiting-budget":
    case "candidate":
      return "wait";
    case "ready":
      return "good";
    case "failed":
    case "timed-out":
    case "changes-requested":
      return "bad";
    default:
      return "done";
  }
}

export function elapsedText(elapsed: TaskRow["elapsed"]): string {
  if (!elapsed) return "—";
  const took = formatDuration(elapsed.ms);
  return elapsed.since === "queued" ? `waiting ${took}` : took;
}

export function costText(costUsd: number | undefined): string {
  return costUsd === undefined ? "—" : `$${costUsd.toFixed(2)}`;
}

export function checksText(checks: TaskRow["checks"]): string {
  if (!checks) return "—";
  const words = { "waiting-ci": "waiting for CI", judging: "judging", passed: "passed", failed: "failed" };
  return checks.detail && checks.stage === "failed" ? `failed: ${checks.detail}` : words[checks.stage];
}

export function judgeText(judge: TaskRow["judge"]): string {
  const words = { approve: "approved", request_changes: "changes requested", inconclusive: "inconclusive" };
  return judge ? words[judge] : "—";
}
