import type { RepoConfig } from "../../app/config/schema.js";
import type { Fleet } from "../fleet.js";
import type { Task } from "../task.js";

/**
 * A race (best-of-N): several agents on one issue at once, each an ordinary task on its own branch, ranked
 * by CI and the judge once all have settled or the time limit passed. One race per issue at a time.
 */

/**
 * `running`: candidates at work; `ranking`: CI and the judge are read for each; `waiting-pick`: ranked, a
 * person picks (`pick: person`); `done`: a winner has its pull request, or none could win; `cancelled`: stopped.
 */
export const RACE_STATES = ["running", "ranking", "waiting-pick", "done", "cancelled"] as const;
export type RaceState = (typeof RACE_STATES)[number];
/** A race in one of these states blocks a new one on its issue. */
export const OPEN_RACE_STATES: readonly RaceState[] = ["running", "ranking", "waiting-pick"];

/** What the ranking found for one candidate (kept, so a retried ranking job judges nobody twice). */
export interface CandidateResult {
  sha?: string;
  ci: "passed" | "pending" | "none" | "failed";
  /** The CI checks that failed or were still pending, by name. */
  ciNames?: string[];
  decision?: "approve" | "request_changes" | "inconclusive";
  /** Why the judge gave no verdict. */
  problem?: string;
  findings?: number;
  /** The judge's summary, cut short, for the people comparing candidates. */
  summary?: string;
}

export interface RaceRecord {
  id: string;
  repoId: number;
  issue: number;
  /** The candidates' agents, in the order asked; each one's task is `taskIdFor(repo, issue, agent)`. */
  agents: string[];
  /** The candidates' task ids, in the same order. */
  candidates: string[];
  /** Which attempt of each task is the race's (a later attempt is no longer a candidate). */
  attempts: Record<string, number>;
  state: RaceState;
  pick: RepoConfig["race"]["pick"];
  keepBranchesMs: number;
  /** When ranking starts even if candidates are still at work. */
  deadline: string;
  createdAt: string;
  /** When the ranking began: CI on the candidates is waited for from here, up to the judge's `ciTimeout`. */
  rankingAt?: string;
  sender: string;
  results?: Record<string, CandidateResult>;
  /** Task ids, best first; the ones that cannot win come last. */
  ranking?: string[];
  /** The task id whose pull request was opened. */
  winner?: string;
  /** Why the race ended without a winner, or was cancelled. */
  reason?: string;
  commentId?: number;
  commentBody?: string;
  /** Bumped on every write, so two writers never undo each other. */
  version: number;
}

/** `race-r<repo>-i<issue>`: one race per issue at a time, and a valid BullMQ job id part. */
export function raceIdFor(repoId: number, issue: number): string {
  return `race-r${repoId}-i${issue}`;
}

// KEYS: race. ARGV: open states (JSON), the record (JSON). A new race only where none is open.
const CREATE = `
local now = redis.call('GET', KEYS[1])
if now then
  local state = cjson.decode(now).state
  for _, s in ipairs(cjson.decode(ARGV[1])) do
    if state == s then return 0 end
  end
end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`;

// KEYS: race. ARGV: the version read, the record after (JSON). Written only if nobody wrote in between.
// (The record is patched in TypeScript: cjson would turn empty objects into arrays and round big numbers.)
const REPLACE = `
local now = redis.call('GET', KEYS[1])
if not now or cjson.decode(now).version ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`;

/** Records a new race, unless one is open on its issue: false then. */
export async function createRace(fleet: Fleet, race: RaceRecord): Promise<boolean> {
  const done = await fleet.redis.eval(
    CREATE,
    1,
    fleet.keys.race(race.id),
    JSON.stringify(OPEN_RACE_STATES),
    JSON.stringify(race),
  );
  return done === 1;
}

export async function readRace(fleet: Fleet, id: string): Promise<RaceRecord | undefined> {
  const text = await fleet.redis.get(fleet.keys.race(id));
  return text ? (JSON.parse(text) as RaceRecord) : undefined;
}

/**
 * Sets fields of the race while it is in one of `states`, in one step, so two jobs never both move it on
 * (two candidates settling at once start one ranking). Returns the record after, or undefined.
 */
export async function updateRaceIf(
  fleet: Fleet,
  id: string,
  states: readonly RaceState[],
  patch: Partial<Omit<RaceRecord, "id" | "version">>,
): Promise<RaceRecord | undefined> {
  for (;;) {
    const race = await readRace(fleet, id);
    if (!race || !states.includes(race.state)) return undefined;
    const after: RaceRecord = { ...race, ...patch, version: race.version + 1 };
    const written = await fleet.redis.eval(
      REPLACE,
      1,
      fleet.keys.race(id),
      String(race.version),
      JSON.stringify(after),
    );
    if (written === 1) return after;
  }
}

/** The candidates' task records, in the race's order (undefined for one that is gone). */
export function readCandidates(fleet: Fleet, race: RaceRecord): Promise<(Task | undefined)[]> {
  return Promise.all(race.candidates.map((id) => fleet.store.get(id)));
}

/** The task is still the race's candidate: the attempt the race started, marked as its. */
export function isCandidate(race: RaceRecord, task: Task | undefined): task is Task {
  return !!task && task.race?.id === race.id && race.attempts[task.id] === task.attempt;
}
