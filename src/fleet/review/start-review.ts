import type { GitHub } from "../../github/octokit.js";
import { withRetries } from "../../github/with-retries.js";
import { httpStatus } from "../../publish/request-error.js";
import { BusyError } from "../errors.js";
import type { Fleet } from "../fleet.js";
import { reviewStartJobId } from "../queues.js";
import type { RunDeps } from "../run-task.js";
import { type Review, TASK_STATES, type Task, type TaskState } from "../task.js";
import { completeCheck, putUpChecks } from "./flotilla-checks.js";
import { followCi, followCiSoon } from "./follow-ci.js";

/** The states of a task whose pull request is open and waits for, or has, the judge's verdict. */
export const REVIEW_STATES = ["checking", "judging", "ready", "changes-requested"] as const;

/** How long a head's record points back at its task, for CI webhooks that come late. */
const HEAD_TTL_SECONDS = 14 * 24 * 3600;

/**
 * A new head on a task's pull request, as numbered steps: the judge's and the gate's check runs go up at
 * once (in progress), an older head still being judged is superseded, and the judge waits for CI. The
 * review is the pull request's, whatever the task's attempt is doing: a head someone pushed while a fix
 * round runs is judged too (the round then cannot move the branch, and says so).
 *
 * @param again judge this head again even if it was judged (`/agent judge`, a re-run asked on the check).
 */
export async function startReview(
  deps: RunDeps,
  taskId: string,
  sha: string,
  pr: number,
  again = false,
): Promise<void> {
  const { fleet } = deps;
  const task = await fleet.store.get(taskId);
  // 0. Nothing to judge, or already started.
  if (!task?.settings.judge || (task.review?.sha === sha && !again)) return;
  const gh = await deps.github(task.installationId);
  const where = { owner: task.repo.owner, repo: task.repo.name };

  // 1. Only the branch's head is judged; a head already gone is not.
  const head = await branchHead(gh, task);
  if (head !== sha) return deps.log.info({ task: taskId, sha, head }, "not the branch's head; not judged");
  // 2. The check runs on this head (new ones: a completed check run cannot be put back in progress).
  const ids = await withRetries(() =>
    putUpChecks(gh, { ...where, sha, appId: deps.appId }, task.pr?.url, again),
  );
  // 3. Recorded unless another head was recorded meanwhile (two quick pushes start two jobs at once): then
  //    whichever is the branch's head now wins. The older head's unfinished checks are closed.
  const review: Review = {
    sha,
    pr,
    stage: "waiting-ci",
    ...ids,
    ciDeadline: new Date(Date.now() + task.settings.judge.ciTimeoutMs).toISOString(),
  };
  let before = task.review;
  while (
    !(await fleet.store.updateIf(
      task.id,
      { states: TASK_STATES, review: { sha: before?.sha ?? null } },
      { review },
    ))
  ) {
    const now = await fleet.store.get(task.id);
    if (!now) return;
    if ((await branchHead(gh, task)) !== sha)
      return supersede(gh, task, review, now.review?.sha ?? "a newer head");
    before = now.review;
  }
  await fleet.redis.set(fleet.keys.reviewHead(task.repo.id, sha), task.id, "EX", HEAD_TTL_SECONDS);
  await reviewState(fleet, task.id, sha, "checking");
  if (before && before.stage !== "done" && (before.sha !== sha || before.judgeCheckId !== ids.judgeCheckId))
    await supersede(gh, task, before, sha);

  // 4. Wait for CI: each CI webhook on the head looks again, and at the deadline the judge runs anyway.
  await fleet.queues.reviews.add(
    "ci",
    { kind: "ci", taskId, sha },
    { jobId: `ci-deadline-${taskId}-${sha}-${ids.judgeCheckId}`, delay: task.settings.judge.ciTimeoutMs },
  );
  await followCi(deps, taskId, sha).catch((error: unknown) => {
    if (!(error instanceof BusyError)) throw error;
    return followCiSoon(fleet, taskId, sha);
  });
}

/**
 * The task's state follows the review of its pull request's head, while the task is not busy with an
 * attempt (a fix round being queued or run shows as that).
 */
export async function reviewState(
  fleet: Fleet,
  taskId: string,
  sha: string,
  state: TaskState,
): Promise<void> {
  await fleet.store.updateIf(taskId, { states: REVIEW_STATES, review: { sha } }, { state });
}

/** The task branch's head now (the ref, which moves at once, rather than the pull request, which may lag). */
async function branchHead(gh: GitHub, task: Task): Promise<string | undefined> {
  try {
    const { data } = await withRetries(() =>
      gh.rest.git.getRef({ owner: task.repo.owner, repo: task.repo.name, ref: `heads/${task.branch}` }),
    );
    return data.object.sha;
  } catch (error) {
    if (httpStatus(error) === 404) return undefined;
    throw error;
  }
}

/** A head's checks, still in progress, end as cancelled: no verdict will come for it. */
async function supersede(gh: GitHub, task: Task, old: Review, by: string): Promise<void> {
  const where = { owner: task.repo.owner, repo: task.repo.name };
  const result = {
    conclusion: "cancelled" as const,
    title: `Superseded by ${by.slice(0, 7)}`,
    summary: `The pull request moved on to ${by}; that commit is judged instead.`,
  };
  for (const id of [old.judgeCheckId, old.gateCheckId])
    await withRetries(() => completeCheck(gh, where, id, result));
}

/** The task state that says where the review of its pull request's head is. */
export function stateOfReview(review: Review): TaskState {
  if (review.stage === "waiting-ci") return "checking";
  if (review.stage === "judging") return "judging";
  return review.gate === "success" ? "ready" : "changes-requested";
}

/**
 * Asks for the judge on a head Flotilla just committed to the task's pull request. When its push webhook
 * already started that review, the task's state catches up with it instead. A draft Flotilla opened (partial
 * work) is not judged: marking it ready for review starts the judge (review-head.ts).
 */
export async function requestReview(fleet: Fleet, task: Task): Promise<void> {
  if (task.state !== "checking" || !task.settings.judge || !task.pr || !task.commitSha) return;
  if (task.pr.draft) return;
  if (task.review?.sha === task.commitSha)
    return reviewState(fleet, task.id, task.commitSha, stateOfReview(task.review));
  await fleet.queues.reviews.add(
    "start",
    { kind: "start", taskId: task.id, sha: task.commitSha, pr: task.pr.number },
    { jobId: reviewStartJobId(task.id, task.commitSha) },
  );
}
