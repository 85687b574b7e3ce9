import type { GitHub } from "../../github/octokit.js";
import { type CiReport, failedChecks } from "../../judge/ci-report.js";
import type { Verdict } from "../../judge/verdict.js";
import { showStatus } from "../finish-task.js";
import { nextAttempt } from "../next-attempt.js";
import type { RunDeps } from "../run-task.js";
import { submitTask } from "../submit-task.js";
import type { IterationFeedback, Task } from "../task.js";

/** Most characters of one failing check's report handed back to the agent. */
const CHECK_DETAILS = 3_000;

/**
 * The bounded fix loop: CI failed or the judge asked for changes on the head, so the coding agent gets
 * another go on the same branch with what went wrong, while the pull request has had fewer than
 * `judge.maxRounds` automatic rounds. Once per head (keyed like a delivery), whichever of the verdict and a
 * late CI failure comes first. After the last round the status comment asks a person to step in.
 */
export async function startFixRound(
  deps: RunDeps,
  gh: GitHub,
  task: Task,
  found: { sha: string; ci: CiReport; verdict?: Verdict },
): Promise<"started" | "exhausted" | "nothing-to-fix"> {
  const judge = task.settings.judge;
  const feedback = fixFeedback(found.ci, found.verdict);
  if (!judge || feedback.length === 0) return "nothing-to-fix";
  const rounds = task.autoRounds ?? 0;
  if (rounds >= judge.maxRounds) {
    await showStatus(deps, gh, task.id);
    return "exhausted";
  }
  const { fleet } = deps;
  const result = await submitTask(
    fleet,
    nextAttempt(task, {
      iteration: { headSha: found.sha, feedback, automatic: true },
      autoRounds: rounds + 1,
    }),
    await fleet.scheduler.limitOf(task.repo.id),
    `fix-${task.id}-${found.sha}`,
  );
  deps.log.info({ task: task.id, sha: found.sha, round: rounds + 1, ...result }, "fix round submitted");
  return result.status === "queued" ? "started" : "nothing-to-fix";
}

/** What the agent is told to fix: each failing check with the end of its report, then the judge's findings. */
export function fixFeedback(ci: CiReport, verdict: Verdict | undefined): IterationFeedback[] {
  const feedback: IterationFeedback[] = failedChecks(ci).map((check) => ({
    author: "CI",
    text: [
      `The CI check "${check.name}" failed (${check.conclusion ?? "failure"}).`,
      check.details ? `The end of its report:\n\n${check.details.slice(-CHECK_DETAILS)}` : "",
    ]
      .filter(Boolean)
      .join("\n\n"),
  }));
  if (verdict?.decision === "request_changes") {
    const findings = verdict.findings.map(
      (f) => `- ${f.severity}${f.file ? ` ${f.file}${f.line ? `:${f.line}` : ""}` : ""}: ${f.message}`,
    );
    const unmet = verdict.criteria.filter((c) => !c.met).map((c) => `- not met: ${c.criterion}`);
    feedback.push({
      author: "judge",
      text: [`The reviewer requested changes: ${verdict.summary}`, ...unmet, ...findings].join("\n"),
    });
  }
  return feedback;
}
