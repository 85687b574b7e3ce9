import { withRetries } from "../../github/with-retries.js";
import { failedChecks, pendingChecks } from "../../judge/ci-report.js";
import { decideGate } from "../../judge/gate.js";
import { BusyError } from "../errors.js";
import { showStatus } from "../finish-task.js";
import type { Fleet } from "../fleet.js";
import { judgeJobId } from "../queues.js";
import type { RunDeps } from "../run-task.js";
import { TASK_STATES, type Task } from "../task.js";
import { startFixRound } from "./fix-loop.js";
import { completeCheck, reportProgress } from "./flotilla-checks.js";
import { readCi } from "./read-ci.js";
import { reviewState, stateOfReview } from "./start-review.js";

/** One look at a head's CI at a time; a look that finds another under way is retried shortly after. */
const LOOK_LOCK_MS = 60_000;

/** CI reports on a head within this long are looked at once (a workflow's jobs end close together). */
export const CI_SETTLE_MS = 3_000;

/** Asks for a look at a head's CI soon, once per settle window, however many reports come in it. */
export async function followCiSoon(fleet: Fleet, taskId: string, sha: string): Promise<void> {
  const window = Math.floor(Date.now() / CI_SETTLE_MS);
  await fleet.queues.reviews.add(
    "ci",
    { kind: "ci", taskId, sha },
    { jobId: `ci-${taskId}-${sha}-w${window}`, delay: CI_SETTLE_MS },
  );
}

/**
 * CI said something about a head under review (or the wait ran out). Before the judge: once CI is done, or
 * at the deadline, the judge is queued. After the verdict: the gate follows CI that finished late, and a
 * late CI failure still gets its fix round. Looks at one head never overlap, so an older read of CI cannot
 * overwrite a newer gate.
 */
export async function followCi(deps: RunDeps, taskId: string, sha: string): Promise<void> {
  const { fleet } = deps;
  const lock = fleet.keys.reviewLock(taskId, sha);
  if (!(await fleet.redis.set(lock, "1", "PX", LOOK_LOCK_MS, "NX")))
    throw new BusyError("another look at this head's CI is under way");
  try {
    await look(deps, taskId, sha);
  } finally {
    await fleet.redis.del(lock);
  }
}

async function look(deps: RunDeps, taskId: string, sha: string): Promise<void> {
  const { fleet } = deps;
  const task = await fleet.store.get(taskId);
  const review = task?.review;
  if (!task || review?.sha !== sha) return;
  // The judge's job again, in case the one that moved the review here died before adding it (same id: once).
  if (review.stage === "judging") return queueJudge(deps, task, sha, review.judgeCheckId);
  const gh = await deps.github(task.installationId);
  const where = { owner: task.repo.owner, repo: task.repo.name };
  const ci = await withRetries(() => readCi(gh, { ...where, sha, appId: deps.appId }));
  const pending = pendingChecks(ci);

  if (review.stage === "waiting-ci") {
    // 1. Still running, and time left: say what is awaited (best effort: the deadline job looks again).
    if (pending.length > 0 && Date.now() < Date.parse(review.ciDeadline)) {
      await reportProgress(gh, where, review.judgeCheckId, {
        title: `Waiting for CI: ${pending.length} of ${ci.checks.length} checks running`,
        summary: `Still running: ${pending.map((c) => c.name).join(", ")}.`,
      }).catch((error: unknown) => deps.log.warn({ err: error, task: taskId }, "progress not reported"));
      return;
    }
    // 2. Done (or out of time): the judge, once; then say so.
    const judging = await fleet.store.updateIf(
      task.id,
      { states: TASK_STATES, review: { sha, stage: "waiting-ci", judgeCheckId: review.judgeCheckId } },
      { review: { ...review, stage: "judging" } },
    );
    if (!judging) return;
    await queueJudge(deps, task, sha, review.judgeCheckId);
    await reviewState(fleet, task.id, sha, "judging");
    await reportProgress(gh, where, review.judgeCheckId, {
      title: `Judging with ${task.settings.judge?.name ?? "the judge"}`,
      summary:
        pending.length > 0
          ? `CI was still running when the wait ran out: ${pending.map((c) => c.name).join(", ")}.`
          : "CI has finished; the judge is reviewing the change with its results.",
    }).catch((error: unknown) => deps.log.warn({ err: error, task: taskId }, "progress not reported"));
    await showStatus(deps, gh, task.id);
    return;
  }

  // 3. After the verdict: the gate as CI stands now, posted when it says something new.
  const decision = review.decision;
  const gate = decideGate({
    ci,
    ...(decision ? { verdict: { decision, summary: "", criteria: [], findings: [] } } : {}),
    ...(review.problem ? { judgeProblem: review.problem } : {}),
  });
  if (gate.conclusion !== review.gate || gate.title !== review.gateTitle) {
    const moved = await fleet.store.updateIf(
      task.id,
      { states: TASK_STATES, review: { sha, stage: "done", judgeCheckId: review.judgeCheckId } },
      { review: { ...review, gate: gate.conclusion, gateTitle: gate.title } },
    );
    if (!moved?.review) return;
    await withRetries(() => completeCheck(gh, where, review.gateCheckId, gate));
    await reviewState(fleet, task.id, sha, stateOfReview(moved.review));
    await showStatus(deps, gh, task.id);
  }
  if (failedChecks(ci).length > 0) {
    const now = await fleet.store.get(task.id);
    if (now) await startFixRound(deps, gh, now, { sha, ci });
  }
}

/** The judge's job, in the queue of where the judge runs: the worker host, or a runner it waits for. */
async function queueJudge(deps: RunDeps, task: Task, sha: string, judgeCheckId: number): Promise<void> {
  const { queues } = deps.fleet;
  const queue = task.settings.backend === "local" ? queues.judge : queues.remoteJudge;
  await queue.add(
    "judge",
    { taskId: task.id, sha, judgeCheckId },
    { jobId: judgeJobId(task.id, sha, judgeCheckId) },
  );
}
