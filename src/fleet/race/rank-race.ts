import type { Logger } from "pino";
import type { GitHub } from "../../github/octokit.js";
import { readDiff } from "../../github/read-diff.js";
import { withRetries } from "../../github/with-retries.js";
import type { CiReport } from "../../judge/ci-report.js";
import { WorkerStoppingError } from "../errors.js";
import { readCi } from "../review/read-ci.js";
import { judgeHead } from "../review/run-judge.js";
import type { RunDeps } from "../run-task.js";
import type { Task } from "../task.js";
import { openCandidate } from "./open-candidate.js";
import { pruneLaterAll } from "./prune-branch.js";
import {
  type CandidateResult,
  isCandidate,
  type RaceRecord,
  readCandidates,
  readRace,
  updateRaceIf,
} from "./race.js";
import { rankCandidates, winnerOf } from "./rank-candidates.js";

/** How often CI on a candidate's head is read while it is pending: at first, and at most (doubling between). */
const CI_POLL_MS = 1_000;
const CI_POLL_MAX_MS = 30_000;
/** Most characters of the judge's summary kept for the race's comment. */
const MAX_SUMMARY = 500;
/** How long CI is waited for when the judge (whose `ciTimeout` it would be) is off. */
const DEFAULT_CI_WAIT_MS = 30 * 60_000;

/**
 * The `rank` job, as numbered steps: for each candidate that committed, CI on its head (waited for, up to
 * the judge's `ciTimeout`) and the judge's verdict, each kept in the race as it comes so a retried job redoes
 * none; then the ranking; then the winner's pull request (`pick: auto`) or the ranking for a person.
 */
export async function rankRace(
  deps: RunDeps,
  gh: GitHub,
  log: Logger,
  raceId: string,
  lastTry: boolean,
  stopping?: AbortSignal,
): Promise<void> {
  const { fleet } = deps;
  let race = await readRace(fleet, raceId);
  if (race?.state !== "ranking") return;
  const tasks = await readCandidates(fleet, race);
  const committed = tasks.filter(
    (t): t is Task => !!race && isCandidate(race, t) && t.state === "candidate" && !!t.commitSha,
  );

  // 1–2. CI, then the judge, on each committed candidate not yet looked at.
  for (const task of committed) {
    if (race.results?.[task.id]) continue;
    const result = await lookAt(deps, gh, log, race, task, lastTry, stopping);
    const kept = await updateRaceIf(fleet, race.id, ["ranking"], {
      results: { ...race.results, [task.id]: result },
    });
    if (!kept) return log.info({ race: race.id }, "race stopped while ranking");
    race = kept;
  }

  // 3. The ranking.
  const ranked = rankCandidates(
    race.candidates.map((id, i) => {
      const task = tasks[i];
      const result = race?.results?.[id];
      return {
        taskId: id,
        committed: committed.some((t) => t.id === id),
        ...(result ? { result } : {}),
        ...(task?.usage?.costUsd !== undefined ? { costUsd: task.usage.costUsd } : {}),
        ...(task?.durationMs !== undefined ? { durationMs: task.durationMs } : {}),
      };
    }),
  );
  const ranking = ranked.map((c) => c.taskId);
  const winner = winnerOf(ranked);
  log.info({ race: race.id, ranking, winner: winner?.taskId }, "race ranked");

  // 4. No winner; a person picks; or the winner's pull request.
  if (!winner) {
    const done = await updateRaceIf(fleet, race.id, ["ranking"], {
      state: "done",
      ranking,
      reason: "no candidate finished with a change",
    });
    if (done) await pruneLaterAll(fleet, done, tasks);
    return;
  }
  if (race.pick === "person") {
    await updateRaceIf(fleet, race.id, ["ranking"], { state: "waiting-pick", ranking });
    return;
  }
  const kept = await updateRaceIf(fleet, race.id, ["ranking"], { ranking });
  if (kept) await openCandidate(deps, gh, log, race.id, winner.taskId, "ranking");
}

/** CI on the candidate's head, waited for while pending; then the judge's verdict on it, if the judge is on. */
async function lookAt(
  deps: RunDeps,
  gh: GitHub,
  log: Logger,
  race: RaceRecord,
  task: Task,
  lastTry: boolean,
  stopping?: AbortSignal,
): Promise<CandidateResult> {
  const sha = task.commitSha as string;
  const where = { owner: task.repo.owner, repo: task.repo.name };
  // One wait for all candidates, from when the ranking began (a retried job does not start it over).
  const until =
    Date.parse(race.rankingAt ?? race.createdAt) + (task.settings.judge?.ciTimeoutMs ?? DEFAULT_CI_WAIT_MS);
  const ci = await waitForCi(gh, { ...where, sha, appId: deps.appId }, until, stopping);
  const result: CandidateResult = { sha, ...ciResult(ci) };
  if (!task.settings.judge) return result;
  const { diff } = await withRetries(() =>
    readDiff(gh, { ...where, base: task.repo.defaultBranch, head: sha }),
  );
  const judgement = await judgeHead(
    {
      deps,
      gh,
      task,
      head: {
        sha,
        usageRun: `${race.id}-t${Date.parse(race.createdAt)}`,
        // A race stopped meanwhile stops its judge.
        superseded: async () => (await readRace(deps.fleet, race.id))?.state !== "ranking",
      },
      shown: { diff, ci },
      log,
      stopping,
    },
    lastTry,
  );
  log.info({ race: race.id, task: task.id, decision: judgement.verdict?.decision }, "candidate judged");
  if (!judgement.verdict) return { ...result, problem: judgement.problem };
  const { decision, findings, summary } = judgement.verdict;
  return { ...result, decision, findings: findings.length, summary: summary.slice(0, MAX_SUMMARY) };
}

/** CI once nothing is pending, or as it stands when the wait runs out (`until`, epoch ms). */
async function waitForCi(
  gh: GitHub,
  target: Parameters<typeof readCi>[1],
  until: number,
  stopping: AbortSignal | undefined,
): Promise<CiReport> {
  for (let pause = CI_POLL_MS; ; pause = Math.min(pause * 2, CI_POLL_MAX_MS)) {
    const ci = await withRetries(() => readCi(gh, target));
    if (!ci.checks.some((c) => c.state === "pending") || Date.now() >= until) return ci;
    // A worker shutting down leaves the job to another, which waits on until the same deadline.
    if (stopping?.aborted) throw new WorkerStoppingError();
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, Math.max(0, until - Date.now()))));
  }
}

function ciResult(ci: CiReport): Pick<CandidateResult, "ci" | "ciNames"> {
  const failed = ci.checks.filter((c) => c.state === "failed").map((c) => c.name);
  if (failed.length > 0) return { ci: "failed", ciNames: failed };
  const pending = ci.checks.filter((c) => c.state === "pending").map((c) => c.name);
  if (pending.length > 0) return { ci: "pending", ciNames: pending };
  return { ci: ci.checks.length > 0 ? "passed" : "none" };
}
