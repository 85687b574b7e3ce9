import type { Logger } from "pino";
import type { AgentRun, RunRequest } from "../../backends/backend.js";
import type { GitHub } from "../../github/octokit.js";
import { readDiff } from "../../github/read-diff.js";
import { readOnlyToken } from "../../github/read-token.js";
import { withRetries } from "../../github/with-retries.js";
import type { CiReport } from "../../judge/ci-report.js";
import { acceptanceCriteria } from "../../judge/criteria.js";
import { parseVerdict, type Verdict } from "../../judge/verdict.js";
import { formatDuration } from "../../publish/format-duration.js";
import { isTransient, WorkerStoppingError } from "../errors.js";
import { internalError } from "../finish-task.js";
import type { JudgeJob } from "../queues.js";
import { recordUsage } from "../repo-budget.js";
import type { RunDeps } from "../run-task.js";
import { type Review, TASK_STATES, type Task } from "../task.js";
import { giveUp, postVerdict } from "./post-verdict.js";
import { readCi } from "./read-ci.js";

/** How often a running judge looks whether its head was superseded. */
const SUPERSEDED_POLL_MS = 2_000;

/** The judge's answer: a verdict, or why there is none (which fails the check, never passes it). */
export type Judgement = { verdict: Verdict; problem?: undefined } | { verdict?: undefined; problem: string };

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
      judgement = await judgeOrExplain(
        () => runJudge(deps, gh, task, review, { diff: shown.diff, ci }, log, stopping),
        log,
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

/** The judge's answer, or, when it could not run at all on the last try, why. */
async function judgeOrExplain(
  run: () => Promise<Judgement>,
  log: Logger,
  lastTry: boolean,
): Promise<Judgement> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof WorkerStoppingError || (isTransient(error) && !lastTry)) throw error;
    log.error({ err: error }, "judge could not run");
    return { problem: `the judge could not run: ${internalError(error).message}` };
  }
}

async function runJudge(
  deps: RunDeps,
  gh: GitHub,
  task: Task,
  review: Review,
  shown: { diff: string; ci: CiReport },
  log: Logger,
  stopping: AbortSignal | undefined,
): Promise<Judgement> {
  const backend = deps.backends.local;
  const judge = task.settings.judge;
  if (!backend || !judge) return { problem: "no worker here can run the judge (it needs the local backend)" };
  const issue = task.trigger ?? (await issueNow(gh, task));
  const token = await withRetries(() => readOnlyToken(gh, task.installationId, task.repo.id));
  let invalidAnswer: string | undefined;
  let cost = 0;
  const started = performance.now();
  const judged = async (judgement: Judgement): Promise<Judgement> => {
    await deps.fleet.metrics.judged(task, judge.name, judgement.verdict?.decision ?? "no-verdict", cost);
    // The judge's spending counts towards the repository's budget, once per review of the head.
    await recordUsage(deps.fleet, task, `j${review.judgeCheckId}`, {
      usd: cost,
      seconds: (performance.now() - started) / 1000,
    });
    return judgement;
  };
  for (let round = 1; round <= 2; round++) {
    const run = await runOnce(
      deps,
      task,
      review,
      {
        issue: { number: task.issue, title: issue.title, body: issue.body },
        diff: shown.diff,
        judge: {
          pull: { number: review.pr, sha: review.sha },
          ci: shown.ci,
          criteria: acceptanceCriteria(issue.body),
          ...(invalidAnswer !== undefined ? { invalidAnswer } : {}),
        },
        ...(task.settings.prompt ? { maxBytes: task.settings.prompt.maxSize } : {}),
      },
      token,
      stopping,
    );
    cost += run.usage.costUsd ?? 0;
    const { outcome } = run;
    if (outcome.kind === "limit" && outcome.limit === "time")
      return judged({ problem: `the judge ran out of time (${formatDuration(judge.agent.timeout)})` });
    if (outcome.kind === "cancelled") return judged({ problem: "the judge was stopped" });
    if (outcome.kind !== "success") return judged({ problem: `the judge failed: ${outcome.message}` });
    const parsed = parseVerdict(run.summary ?? "");
    if (parsed.ok) return judged({ verdict: parsed.verdict });
    log.info({ round, error: parsed.error }, "judge answer is not a verdict");
    invalidAnswer = parsed.error;
  }
  return judged({ problem: `the judge gave no valid verdict (${invalidAnswer})` });
}

/** One judge run in a checkout of the head, stopped when a newer head supersedes it; its changes are dropped. */
async function runOnce(
  deps: RunDeps,
  task: Task,
  review: Review,
  request: RunRequest["request"],
  token: string,
  stopping: AbortSignal | undefined,
): Promise<AgentRun> {
  const backend = deps.backends.local;
  if (!backend) throw new Error("no local backend");
  const stop = new AbortController();
  const onStopping = () => stop.abort();
  stopping?.addEventListener("abort", onStopping, { once: true });
  const watch = setInterval(async () => {
    const now = await deps.fleet.store.get(task.id).catch(() => undefined);
    if (now && now.review?.sha !== review.sha) stop.abort();
  }, SUPERSEDED_POLL_MS);
  try {
    const run = await backend.run({
      task,
      request,
      token,
      signal: stop.signal,
      role: "judge",
      checkout: { branch: task.branch, sha: review.sha },
    });
    await run.dispose().catch(() => undefined);
    if (stopping?.aborted) throw new WorkerStoppingError();
    return run;
  } finally {
    clearInterval(watch);
    stopping?.removeEventListener("abort", onStopping);
  }
}

async function issueNow(gh: GitHub, task: Task): Promise<{ title: string; body: string }> {
  const { data } = await withRetries(() =>
    gh.rest.issues.get({ owner: task.repo.owner, repo: task.repo.name, issue_number: task.issue }),
  );
  return { title: data.title, body: data.body ?? "" };
}
