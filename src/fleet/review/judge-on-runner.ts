import { setTimeout as sleep } from "node:timers/promises";
import { jobMinutes } from "../../backends/actions/workflow-inputs.js";
import type { Collected, RemoteBackend, RunRequest } from "../../backends/backend.js";
import type { GitHub } from "../../github/octokit.js";
import { isTransient, PermanentError } from "../errors.js";
import type { Fleet } from "../fleet.js";
import type { RunDeps } from "../run-task.js";
import type { RemoteRun, Task } from "../task.js";
import type { JudgedHead, JudgeRun } from "./run-judge.js";

/**
 * How often the judge's workflow run is looked at on GitHub while no webhook said it completed (webhooks
 * can be late or lost). @defaultValue 60 s
 */
const POLL_MS = 60_000;
/** How often the judge looks (in Redis) whether the run's `completed` webhook came. */
const WAKE_MS = 500;
/** Once the webhook came, how often the run is looked at while GitHub's API still shows it running. */
const TOLD_LOOK_MS = 1_000;
/** How long a judge run's record is kept: longer than any run may take. */
const RUN_TTL_SECONDS = 2 * 24 * 3600;

type JudgeRunRecord = Pick<RemoteRun, "id" | "url" | "dispatchedAt">;

/**
 * One round of the judge on a GitHub Actions runner, as the coding agents run there (`backend: actions`),
 * as numbered steps: its request stored as a blob and the agent workflow dispatched in the `judge` role,
 * once per review and round (a job retried after a crash finds the run again); the run followed until it
 * completes, is stopped (`stop`: a newer head; the run is cancelled) or runs past its time; then its result
 * read like an agent's. The branch's code, which the judge may run, runs on the runner, never here.
 * When `stopping` (this worker shuts down), it returns at once and leaves the run to the job's next try; an
 * error leaves it too, unless no try follows (`lastTry`, or an error no retry cures): then it is cancelled.
 */
export async function judgeOnRunner(
  deps: RunDeps,
  gh: GitHub,
  backend: RemoteBackend,
  call: { task: Task; head: JudgedHead; round: number; request: RunRequest["request"] },
  signals: { stop: AbortSignal; stopping: AbortSignal | undefined; lastTry: boolean },
): Promise<JudgeRun> {
  const { task, head, round } = call;
  const judge = task.settings.judge;
  if (!judge) throw new PermanentError(`task ${task.id} has no judge configured`);
  const label = `${head.usageRun}-${round}`;
  const key = deps.fleet.keys.judgeRun(task.id, label);
  const keep = async (run: JudgeRunRecord) => {
    await deps.fleet.redis.set(key, JSON.stringify(run), "EX", RUN_TTL_SECONDS);
    if (run.id) await following(deps, task, run.id);
    return run;
  };

  // 1. The run of this round, dispatched once.
  let run = await readRecord(deps, key);
  if (!run) {
    const request = await backend.storeRequest(gh, task, {
      version: 1,
      role: "judge",
      agentName: judge.name,
      agent: judge.agent,
      request: call.request,
      protectedPaths: task.settings.protectedPaths,
      head: head.sha,
    });
    const dispatched = { dispatchedAt: new Date().toISOString() };
    // Two tries of the job at once (a stalled lock) dispatch one run between them.
    if (await deps.fleet.redis.set(key, JSON.stringify(dispatched), "EX", RUN_TTL_SECONDS, "NX")) {
      try {
        run = await keep({ ...dispatched, ...(await backend.startJudge(gh, task, { label, request })) });
      } catch (error) {
        // An answer lost on its way may still have made a run: it is looked for by name below.
        if (!isTransient(error)) {
          await deps.fleet.redis.del(key);
          throw new PermanentError(
            `GitHub refused to dispatch the agent workflow for the judge (${(error as Error).message}); is it Flotilla's current template, whose \`role\` offers \`judge\`? (docs/setup.md)`,
          );
        }
        run = dispatched;
      }
    } else run = (await readRecord(deps, key)) ?? dispatched;
  } else if (run.id) await following(deps, task, run.id); // (a crash may have come between record and mark)

  if (run.url) await head.runningAt?.(run.url);

  // 2–3. Followed until it completes, then read.
  const deadline =
    Date.parse(run.dispatchedAt) +
    (task.settings.actions?.startTimeout ?? 15 * 60_000) +
    jobMinutes(judge.agent.timeout) * 60_000;
  try {
    return await follow(deps, gh, backend, { task, head, label, deadline, keep }, run, signals);
  } catch (error) {
    // Nobody would read this run's answer: it would hold a runner until its timeout for nothing.
    const runId = (await readRecord(deps, key).catch(() => undefined))?.id ?? run.id;
    if (runId && (signals.lastTry || !isTransient(error)))
      await backend.cancel(gh, task, runId).catch(() => undefined);
    throw error;
  }
}

/**
 * Step 2: the judge's run followed until it has an answer (looked at on GitHub when its webhook's mark says
 * it completed, and once a poll in case the webhook is lost), is stopped or is late.
 */
async function follow(
  deps: RunDeps,
  gh: GitHub,
  backend: RemoteBackend,
  call: {
    task: Task;
    head: JudgedHead;
    label: string;
    deadline: number;
    keep(run: JudgeRunRecord): Promise<JudgeRunRecord>;
  },
  dispatched: JudgeRunRecord,
  signals: { stop: AbortSignal; stopping: AbortSignal | undefined },
): Promise<JudgeRun> {
  const { task, head, label, deadline, keep } = call;
  const { redis, keys } = deps.fleet;
  const poll = deps.remotePollMs ?? POLL_MS;
  let run = dispatched;
  let looked = Number.NEGATIVE_INFINITY;
  for (;;) {
    if (signals.stopping?.aborted) return { outcome: { kind: "cancelled", message: "The worker stopped." } };
    if (!run.id) {
      const found = await backend.findJudge(gh, task, label, run.dispatchedAt);
      if (found?.id) {
        run = await keep({ ...run, ...found });
        if (run.url) await head.runningAt?.(run.url);
      }
    }
    const stopped = signals.stop.aborted && !signals.stopping?.aborted;
    const late = Date.now() > deadline;
    if (run.id && (stopped || late)) await backend.cancel(gh, task, run.id);
    if (stopped) return { outcome: { kind: "cancelled", message: "The judge was stopped." } };
    if (late) return timedOut(run.id ? "" : " (its workflow run never started)");
    const told = run.id && (await redis.get(keys.judgeRunState(task.repo.id, run.id))) === "completed";
    if (run.id && Date.now() >= looked + (told ? Math.min(TOLD_LOOK_MS, poll) : poll)) {
      looked = Date.now();
      const collected = await backend.collect(gh, task, run.id, "judge");
      // 3. What it came to, as a judge run.
      if (collected.kind !== "pending") return judgeRunOf(collected);
    }
    // A run whose id is not known yet is looked for on GitHub at the polling pace.
    const wait = run.id ? Math.min(WAKE_MS, poll) : poll;
    await sleep(wait, undefined, { signal: signals.stop }).catch(() => undefined);
  }
}

/** Marks a judge run as followed, so its `completed` webhook wakes the judge (judgeRunCompleted). */
async function following(deps: RunDeps, task: Task, runId: number): Promise<void> {
  const state = deps.fleet.keys.judgeRunState(task.repo.id, runId);
  await deps.fleet.redis.set(state, "following", "EX", RUN_TTL_SECONDS, "NX");
}

/**
 * A workflow run completed (its webhook): if a judge follows it, the judge looks at it now instead of at its
 * next poll. Only an existing mark is changed (XX), so the repository's other runs leave nothing behind.
 */
export async function judgeRunCompleted(fleet: Fleet, repoId: number, runId: number): Promise<boolean> {
  const state = fleet.keys.judgeRunState(repoId, runId);
  return (await fleet.redis.set(state, "completed", "EX", RUN_TTL_SECONDS, "XX")) === "OK";
}

async function readRecord(deps: RunDeps, key: string): Promise<JudgeRunRecord | undefined> {
  const text = await deps.fleet.redis.get(key);
  return text ? (JSON.parse(text) as JudgeRunRecord) : undefined;
}

/** Past its time: the judge reports it as running out of time (run-judge.ts names the timeout). */
function timedOut(why: string): JudgeRun {
  return {
    outcome: { kind: "limit", limit: "time", message: `The judge's Actions run ran past its time${why}.` },
  };
}

/** A completed judge run as the judge takes it: the agent's answer, or why there is none. */
function judgeRunOf(collected: Exclude<Collected, { kind: "pending" }>): JudgeRun {
  if (collected.kind === "result") {
    const { outcome, summary, usage } = collected.run;
    return { outcome, usage, ...(summary !== undefined ? { summary } : {}) };
  }
  if (collected.kind === "ended" && collected.state === "timed-out") return timedOut("");
  const message =
    collected.kind === "lost" ? `its Actions run was lost (${collected.reason})` : collected.message;
  return { outcome: { kind: "agent-error", message } };
}
