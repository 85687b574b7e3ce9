import { readDiff } from "../../github/read-diff.js";
import { withRetries } from "../../github/with-retries.js";
import { isTransient, WorkerStoppingError } from "../errors.js";
import { internalError } from "../finish-task.js";
import type { JudgeJob } from "../queues.js";
import type { RunDeps } from "../run-task.js";
import { TASK_STATES } from "../task.js";
import { reportProgress } from "./flotilla-checks.js";
import { giveUp, postVerdict } from "./post-verdict.js";
import { readCi } from "./read-ci.js";
import { type Judgement, judgeHead } from "./run-judge.js";

/**
 * The judge job, as numbered steps: what the judge is shown (the issue, the diff at this head, CI), the
 * judge agent in a read-only checkout of the head, its answer checked against the verdict schema (one more
 * try with the parse error), then the verdict posted. A head superseded meanwhile gets nothing posted.
 */
export async function judgePull(
  deps: RunDeps,
  job: JudgeJob,
  /** No retry follows: a failure now is reported on the checks instead of being thrown. */
  lastTry: boolean,
  /** Aborted when this worker shuts down: the judge is stopped and the job left for another worker. */
  stopping?: AbortSignal,
): Promise<void> {
  const { fleet } = deps;
  const { sha } = job;
  const task = await fleet.store.get(job.taskId);
  const review = task?.review;
  if (!task || review?.sha !== sha || review.stage !== "judging" || review.judgeCheckId !== job.judgeCheckId)
    return;
  const log = deps.log.child({ task: task.id, sha, judge: task.settings.judge?.name });
  const gh = await deps.github(task.installationId);
  const where = { owner: task.repo.owner, repo: task.repo.name };
  try {
    // 1. What the judge is shown.
    const [shown, ci] = await Promise.all([
      withRetries(() => readDiff(gh, { ...where, base: task.repo.defaultBranch, head: sha })),
      withRetries(() => readCi(gh, { ...where, sha, appId: deps.appId })),
    ]);
    // 2–3. The judge agent and its verdict, kept before anything is posted (a retried job posts the same).
    let judgement: Judgement | undefined = review.judgement as Judgement | undefined;
    if (!judgement) {
      judgement = await judgeHead(
        {
          deps,
          gh,
          task,
          head: {
            sha,
            pr: review.pr,
            usageRun: `j${review.judgeCheckId}`,
            // A newer head on the pull request supersedes this one: the judge is stopped.
            superseded: async () => {
              const now = await fleet.store.get(task.id).catch(() => undefined);
              return !!now && now.review?.sha !== sha;
            },
            // On a runner: the judge's check links its workflow run, where its log is.
            runningAt: (url) =>
              reportProgress(
                gh,
                where,
                review.judgeCheckId,
                {
                  title: `Judging with ${task.settings.judge?.name ?? "the judge"} on GitHub Actions`,
                  summary: `The judge runs in [a run of the agent workflow](${url}); its log is there.`,
                },
                url,
              ).catch((error: unknown) => log.warn({ err: error }, "progress not reported")),
          },
          shown: { diff: shown.diff, ci },
          log,
          stopping,
        },
        lastTry,
      );
      log.info({ decision: judgement.verdict?.decision, problem: judgement.problem }, "judge finished");
      const kept = await fleet.store.updateIf(
        task.id,
        { states: TASK_STATES, review: { sha, stage: "judging", judgeCheckId: review.judgeCheckId } },
        { review: { ...review, judgement } },
      );
      if (!kept) return log.info("superseded; nothing posted");
    }
    // 4. Posted; CI is read again, as it may have finished since.
    const ciNow = await withRetries(() => readCi(gh, { ...where, sha, appId: deps.appId }));
    await postVerdict(deps, gh, task, { ...review, judgement }, { judgement, ci: ciNow, files: shown.files });
  } catch (error) {
    if (error instanceof WorkerStoppingError || (isTransient(error) && !lastTry)) throw error;
    // No verdict will come: the checks must not stay in progress (a required gate would block for good).
    log.error({ err: error }, "judge job failed");
    await giveUp(deps, gh, task, review, `the judge could not finish: ${internalError(error).message}`);
  }
}
