import type { GitHub } from "../../github/octokit.js";
import { withRetries } from "../../github/with-retries.js";
import { type CandidateView, type RaceView, renderRaceComment } from "../../publish/race-comment.js";
import { upsertStatusComment } from "../../publish/status-comment.js";
import type { Fleet } from "../fleet.js";
import { withCommentLock } from "../status-sync.js";
import type { Task, TaskState } from "../task.js";
import { isCandidate, RACE_STATES, type RaceRecord, readCandidates, readRace, updateRaceIf } from "./race.js";

/**
 * Brings the race's comment on the issue up to date with the race and its candidates' records: one comment
 * for the race (found again by its marker), in place of each candidate's own status comment.
 */
export async function syncRaceComment(fleet: Fleet, gh: GitHub, raceId: string): Promise<void> {
  await withCommentLock(fleet, raceId, async () => {
    const race = await readRace(fleet, raceId);
    if (!race) return;
    const tasks = await readCandidates(fleet, race);
    const body = renderRaceComment(race.id, raceView(race, tasks));
    if (race.commentId && body === race.commentBody) return;
    const first = tasks.find((t) => t !== undefined);
    if (!first) return;
    const { id } = await withRetries(() =>
      upsertStatusComment(gh, {
        owner: first.repo.owner,
        repo: first.repo.name,
        issue: race.issue,
        taskId: race.id,
        ...(race.commentId ? { commentId: race.commentId } : {}),
        body,
      }),
    );
    await updateRaceIf(fleet, race.id, RACE_STATES, { commentId: id, commentBody: body });
  });
}

/** The race as its comment shows it: the candidates in ranked order once ranked. */
export function raceView(race: RaceRecord, tasks: (Task | undefined)[]): RaceView {
  const byId = new Map(race.candidates.map((id, i) => [id, { agent: race.agents[i] ?? id, task: tasks[i] }]));
  const order = race.ranking ?? race.candidates;
  const candidates = order.map((id, i): CandidateView => {
    const { agent, task } = byId.get(id) ?? { agent: id, task: undefined };
    const result = race.results?.[id];
    return {
      agent,
      state: candidateState(race, task),
      ...(result && task ? { branch: task.branch } : {}),
      ...(result?.summary ? { summary: result.summary } : {}),
      ...(race.winner === id && task?.pr ? { pr: task.pr } : {}),
      ...(result ? { ci: result.ci } : {}),
      ...(result?.ciNames ? { ciNames: result.ciNames } : {}),
      ...(result?.decision
        ? { decision: result.decision }
        : result?.problem
          ? { decision: "no verdict" as const }
          : {}),
      ...(race.ranking && result ? { rank: i + 1 } : {}),
    };
  });
  const winner = race.winner ? byId.get(race.winner) : undefined;
  return {
    state: race.state,
    deadline: race.deadline,
    keepBranchesMs: race.keepBranchesMs,
    candidates,
    ...(winner
      ? { winner: { agent: winner.agent, ...(winner.task?.pr ? { pr: winner.task.pr } : {}) } }
      : {}),
    ...(race.reason ? { reason: race.reason } : {}),
  };
}

const WORDS: Record<TaskState, string> = {
  queued: "queued",
  dispatched: "queued",
  running: "running",
  collecting: "publishing",
  publishing: "publishing",
  candidate: "finished",
  checking: "pull request opened",
  judging: "pull request opened",
  ready: "pull request opened",
  "changes-requested": "pull request opened",
  "no-changes": "no changes",
  "waiting-budget": "waiting for budget",
  failed: "failed",
  cancelled: "cancelled",
  "timed-out": "timed out",
};

function candidateState(race: RaceRecord, task: Task | undefined): string {
  if (!task) return "unknown";
  // The winner's task moved on to its pull request; a candidate asked again since is not the race's.
  if (race.winner === task.id) return "winner";
  if (!isCandidate(race, task)) return "moved on";
  if (task.cancel && task.state !== "cancelled") return "stopping";
  return WORDS[task.state];
}
