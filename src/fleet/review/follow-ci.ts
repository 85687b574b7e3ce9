import { withRetries } from "../../github/with-retries.js";
import { failedChecks, pendingChecks } from "../../judge/ci-report.js";
import { decideGate } from "../../judge/gate.js";
import { showStatus } from "../finish-task.js";
import { judgeJobId } from "../queues.js";
import type { RunDeps } from "../run-task.js";
import { startFixRound } from "./fix-loop.js";
import { completeCheck, reportProgress } from "./flotilla-checks.js";
import { readCi } from "./read-ci.js";
import { REVIEW_STATES } from "./start-review.js";

/**
 * CI said something about a head under review (or the wait ran out). Before the judge: once CI is done, or
 * at the deadline, the judge is queued. After the verdict: the gate follows CI that finished late, and a
 * late CI failure still gets its fix round.
 */
export async function followCi(deps: RunDeps, taskId: string, sha: string): Promise<void> {
  const { fleet } = deps;
  const task = await fleet.store.get(taskId);
  const review = task?.review;
  if (!task || review?.sha !== sha || review.stage === "judging") return;
  const gh = await deps.github(task.installationId);
  const where = { owner: task.repo.owner, repo: task.repo.name };
  const ci = await withRetries(() => readCi(gh, { ...where, sha, appId: deps.appId }));
  const pending = pendingChecks(ci);

  if (review.stage === "waiting-ci") {
    // 1. Still running, and time left: say what is awaited.
    if (pending.length > 0 && Date.now() < Date.parse(review.ciDeadline)) {
      await withRetries(() =>
        reportProgress(gh, where, review.judgeCheckId, {
          title: `Waiting for CI: ${pending.length} of ${ci.checks.length} checks running`,
          summary: `Still running: ${pending.map((c) => c.name).join(", ")}.`,
        }),
      );
      return;
    }
    // 2. Done (or out of time): the judge, once.
    const judging = await fleet.store.updateIf(
      task.id,
      { states: [...REVIEW_STATES], review: { sha, stage: "waiting-ci" } },
      { review: { ...review, stage: "judging" }, state: "judging" },
    );
    if (!judging) return;
    await withRetries(() =>
      reportProgress(gh, where, review.judgeCheckId, {
        title: `Judging with ${task.settings.judge?.name ?? "the judge"}`,
        summary:
          pending.length > 0
            ? `CI was still running when the wait ran out: ${pending.map((c) => c.name).join(", ")}.`
            : "CI has finished; the judge is reviewing the change with its results.",
      }),
    );
    await fleet.queues.judge.add("judge", { taskId, sha }, { jobId: judgeJobId(taskId, sha) });
    await showStatus(deps, gh, task.id);
    return;
  }

  // 3. After the verdict: the gate as CI stands now.
  const decision = review.decision;
  const gate = decideGate({
    ci,
    ...(decision ? { verdict: { decision, summary: "", criteria: [], findings: [] } } : {}),
    ...(review.problem ? { judgeProblem: review.problem } : {}),
  });
  if (gate.conclusion !== review.gate) {
    const moved = await fleet.store.updateIf(
      task.id,
      { states: [...REVIEW_STATES], review: { sha, stage: "done" } },
      {
        review: { ...review, gate: gate.conclusion, gateTitle: gate.title },
        state: gate.conclusion === "success" ? "ready" : "changes-requested",
      },
    );
    if (!moved) return;
    await withRetries(() => completeCheck(gh, where, review.gateCheckId, gate));
    await showStatus(deps, gh, task.id);
  }
  if (failedChecks(ci).length > 0) await startFixRound(deps, gh, task, { sha, ci });
}
