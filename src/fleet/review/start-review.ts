import type { GitHub } from "../../github/octokit.js";
import { withRetries } from "../../github/with-retries.js";
import type { Fleet } from "../fleet.js";
import { reviewStartJobId } from "../queues.js";
import type { RunDeps } from "../run-task.js";
import { isActive, type Review, type Task } from "../task.js";
import { completeCheck, putUpChecks } from "./flotilla-checks.js";
import { followCi } from "./follow-ci.js";

/** The states of a task whose pull request is open and waits for, or has, the judge's verdict. */
export const REVIEW_STATES = ["checking", "judging", "ready", "changes-requested"] as const;

/** How long a head's record points back at its task, for CI webhooks that come late. */
const HEAD_TTL_SECONDS = 14 * 24 * 3600;

/**
 * A new head on a task's pull request, as numbered steps: the judge's and the gate's check runs go up at
 * once (in progress), an older head still being judged is superseded, and the judge waits for CI.
 */
export async function startReview(deps: RunDeps, taskId: string, sha: string, pr: number): Promise<void> {
  const { fleet } = deps;
  const task = await fleet.store.get(taskId);
  // 0. Nothing to judge, or already started; an attempt that is still running has its own result judged.
  if (!task?.settings.judge || task.review?.sha === sha) return;
  if (isActive(task.state)) {
    deps.log.info(
      { task: taskId, sha },
      "a head arrived while the agent works on the PR; its result is judged",
    );
    return;
  }
  const gh = await deps.github(task.installationId);
  const where = { owner: task.repo.owner, repo: task.repo.name };

  // 1. The check runs on this head.
  const ids = await withRetries(() => putUpChecks(gh, { ...where, sha, appId: deps.appId }, task.pr?.url));
  // 2. Recorded while this is the pull request's head and no other head was recorded meanwhile (two quick
  //    pushes start two jobs at once); an older head still being judged is superseded.
  const review: Review = {
    sha,
    pr,
    stage: "waiting-ci",
    ...ids,
    ciDeadline: new Date(Date.now() + task.settings.judge.ciTimeoutMs).toISOString(),
  };
  let before = task.review;
  for (;;) {
    const { data: pull } = await withRetries(() => gh.rest.pulls.get({ ...where, pull_number: pr }));
    if (pull.head.sha !== sha) return supersede(gh, task, review, pull.head.sha);
    const recorded = await fleet.store.updateIf(
      task.id,
      { states: [...REVIEW_STATES], review: { sha: before?.sha ?? null } },
      { review, state: "checking" },
    );
    if (recorded) break;
    const now = await fleet.store.get(task.id);
    if (!now || !(REVIEW_STATES as readonly string[]).includes(now.state) || now.review?.sha === sha) return;
    before = now.review;
  }
  await fleet.redis.set(fleet.keys.reviewHead(task.repo.id, sha), task.id, "EX", HEAD_TTL_SECONDS);
  if (before && before.stage !== "done") await supersede(gh, task, before, sha);

  // 3. Wait for CI: each CI webhook on the head looks again, and at the deadline the judge runs anyway.
  await fleet.queues.reviews.add(
    "ci",
    { kind: "ci", taskId, sha },
    { jobId: `ci-deadline-${taskId}-${sha}`, delay: task.settings.judge.ciTimeoutMs },
  );
  await followCi(deps, taskId, sha);
}

/** An older head's checks, still in progress, end as cancelled: no verdict will come for it. */
async function supersede(gh: GitHub, task: Task, old: Review, sha: string): Promise<void> {
  const where = { owner: task.repo.owner, repo: task.repo.name };
  const result = {
    conclusion: "cancelled" as const,
    title: `Superseded by ${sha.slice(0, 7)}`,
    summary: `The pull request moved on to ${sha}; that commit is judged instead.`,
  };
  for (const id of [old.judgeCheckId, old.gateCheckId])
    await withRetries(() => completeCheck(gh, where, id, result));
}

/** Asks for the judge on a head Flotilla just committed to the task's pull request. */
export async function requestReview(fleet: Fleet, task: Task): Promise<void> {
  if (task.state !== "checking" || !task.settings.judge || !task.pr || !task.commitSha) return;
  await fleet.queues.reviews.add(
    "start",
    { kind: "start", taskId: task.id, sha: task.commitSha, pr: task.pr.number },
    { jobId: reviewStartJobId(task.id, task.commitSha) },
  );
}
