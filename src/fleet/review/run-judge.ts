import type { Logger } from "pino";
import type { AgentRun, RunRequest } from "../../backends/backend.js";
import type { GitHub } from "../../github/octokit.js";
import { readOnlyToken } from "../../github/read-token.js";
import { withRetries } from "../../github/with-retries.js";
import type { CiReport } from "../../judge/ci-report.js";
import { acceptanceCriteria } from "../../judge/criteria.js";
import { parseVerdict, type Verdict } from "../../judge/verdict.js";
import { formatDuration } from "../../publish/format-duration.js";
import { isTransient, WorkerStoppingError } from "../errors.js";
import { internalError } from "../finish-task.js";
import { recordUsage } from "../repo-budget.js";
import type { RunDeps } from "../run-task.js";
import type { Task } from "../task.js";
import { judgeOnRunner } from "./judge-on-runner.js";

/** How often a running judge looks whether its head was superseded. */
const SUPERSEDED_POLL_MS = 2_000;

/** What one judge run came to, whichever backend ran it. */
export type JudgeRun = Pick<AgentRun, "outcome" | "summary"> & { usage?: AgentRun["usage"] };

/** The judge's answer: a verdict, or why there is none (which fails the check, never passes it). */
export type Judgement = { verdict: Verdict; problem?: undefined } | { verdict?: undefined; problem: string };

/** The commit the judge reviews: a pull request's head, or a race candidate's branch head (no pull request). */
export interface JudgedHead {
  sha: string;
  pr?: number;
  /** Counted once towards the repository's budget under this name (`j<check run>`, `race-…`). */
  usageRun: string;
  /** Asked every few seconds while the judge runs: true stops it (a newer head, a stopped race). */
  superseded(): Promise<boolean>;
  /** Told where a judge on a runner can be followed, once its workflow run is known (best effort). */
  runningAt?(url: string): Promise<void>;
}

/**
 * The judge agent on one head, in a read-only checkout of it: the issue as it was asked, the diff, CI, the
 * acceptance criteria; its answer checked against the verdict schema, with one more run told what was wrong.
 * Used for pull requests (judge-pull.ts) and for race candidates (race/rank-race.ts). Throws only what a
 * retry may cure (and, on the last try, not even that): a judge that could not run is a judgement too.
 */
export async function judgeHead(call: JudgeCall, lastTry: boolean): Promise<Judgement> {
  try {
    return await runJudge(call, lastTry);
  } catch (error) {
    if (error instanceof WorkerStoppingError || (isTransient(error) && !lastTry)) throw error;
    call.log.error({ err: error }, "judge could not run");
    return { problem: `the judge could not run: ${internalError(error).message}` };
  }
}

/** The judge on one head: who asks, on what, what it is shown; `stopping` aborts when the worker shuts down. */
export interface JudgeCall {
  deps: RunDeps;
  gh: GitHub;
  task: Task;
  head: JudgedHead;
  shown: { diff: string; ci: CiReport };
  log: Logger;
  stopping: AbortSignal | undefined;
}

async function runJudge(
  { deps, gh, task, head, shown, log, stopping }: JudgeCall,
  lastTry: boolean,
): Promise<Judgement> {
  const backend = deps.backends[task.settings.backend];
  const judge = task.settings.judge;
  if (!backend || !judge)
    return { problem: `no worker here can run the judge (it needs the ${task.settings.backend} backend)` };
  const issue = task.trigger ?? (await issueNow(gh, task));
  let invalidAnswer: string | undefined;
  let cost = 0;
  const started = performance.now();
  const judged = async (judgement: Judgement): Promise<Judgement> => {
    await deps.fleet.metrics.judged(task, judge.name, judgement.verdict?.decision ?? "no-verdict", cost);
    // The judge's spending counts towards the repository's budget, once per review of the head.
    await recordUsage(deps.fleet, task, head.usageRun, {
      usd: cost,
      seconds: (performance.now() - started) / 1000,
    });
    return judgement;
  };
  for (let round = 1; round <= 2; round++) {
    const run = await runOnce(
      { deps, gh, task, head, round, lastTry },
      {
        issue: { number: task.issue, title: issue.title, body: issue.body },
        diff: shown.diff,
        judge: {
          pull: { sha: head.sha, ...(head.pr !== undefined ? { number: head.pr } : {}) },
          ci: shown.ci,
          criteria: acceptanceCriteria(issue.body),
          ...(invalidAnswer !== undefined ? { invalidAnswer } : {}),
        },
        ...(task.settings.prompt ? { maxBytes: task.settings.prompt.maxSize } : {}),
      },
      stopping,
    );
    cost += run.usage?.costUsd ?? 0;
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

/** One round of the judge (1, or 2 after an answer that was not a verdict), on one try of its job. */
interface JudgeRound {
  deps: RunDeps;
  gh: GitHub;
  task: Task;
  head: JudgedHead;
  round: number;
  lastTry: boolean;
}

/**
 * One judge run in a checkout of the head, on the worker host or on a runner (judge-on-runner.ts), stopped
 * when it is superseded; its changes are dropped.
 */
async function runOnce(
  { deps, gh, task, head, round, lastTry }: JudgeRound,
  request: RunRequest["request"],
  stopping: AbortSignal | undefined,
): Promise<JudgeRun> {
  const backend = deps.backends[task.settings.backend];
  if (!backend) throw new Error(`no ${task.settings.backend} backend`);
  const stop = new AbortController();
  const onStopping = () => stop.abort();
  stopping?.addEventListener("abort", onStopping, { once: true });
  const watch = setInterval(async () => {
    if (await head.superseded().catch(() => false)) stop.abort();
  }, SUPERSEDED_POLL_MS);
  try {
    let run: JudgeRun;
    if (backend.kind === "remote") {
      run = await judgeOnRunner(
        deps,
        gh,
        backend,
        { task, head, round, request },
        { stop: stop.signal, stopping, lastTry },
      );
    } else {
      // The worker host fetches the head with a read-only token; a runner uses its job's own.
      const local = await backend.run({
        task,
        request,
        token: await withRetries(() => readOnlyToken(gh, task.installationId, task.repo.id)),
        signal: stop.signal,
        role: "judge",
        checkout: { branch: task.branch, sha: head.sha },
      });
      await local.dispose().catch(() => undefined);
      run = local;
    }
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
