import { beforeEach, describe, expect, it } from "@jest/globals";
import type { Fleet } from "../../src/fleet/fleet.js";
import {
  createRace,
  isCandidate,
  type RaceRecord,
  raceIdFor,
  readRace,
  updateRaceIf,
} from "../../src/fleet/race/race.js";
import { taskIdFor } from "../../src/fleet/task.js";
import { draft } from "./drafts.js";
import { useFleet } from "./use-fleet.js";

// The race record in Redis: one open race per issue, and moves that happen once however many jobs try.

const harness = useFleet("race");
let fleet: Fleet;
beforeEach(() => {
  fleet = harness.fleet();
});

function race(issue: number, patch: Partial<RaceRecord> = {}): RaceRecord {
  const agents = ["alpha", "beta"];
  const candidates = agents.map((agent) => taskIdFor(7, issue, agent));
  return {
    id: raceIdFor(7, issue),
    repoId: 7,
    issue,
    agents,
    candidates,
    attempts: Object.fromEntries(candidates.map((id) => [id, 1])),
    state: "running",
    pick: "auto",
    keepBranchesMs: 1_000,
    deadline: new Date(Date.now() + 60_000).toISOString(),
    createdAt: new Date().toISOString(),
    sender: "alice",
    version: 1,
    ...patch,
  };
}

describe("the race record", () => {
  it("allows one open race per issue, and a new one once the last has ended", async () => {
    expect(await createRace(fleet, race(1))).toBe(true);
    expect(await createRace(fleet, race(1, { agents: ["gamma", "delta"] }))).toBe(false);
    expect((await readRace(fleet, raceIdFor(7, 1)))?.agents).toEqual(["alpha", "beta"]);
    // Another issue races on its own.
    expect(await createRace(fleet, race(2))).toBe(true);

    await updateRaceIf(fleet, raceIdFor(7, 1), ["running"], { state: "cancelled" });
    expect(await createRace(fleet, race(1, { agents: ["gamma", "delta"] }))).toBe(true);
    expect((await readRace(fleet, raceIdFor(7, 1)))?.agents).toEqual(["gamma", "delta"]);
  });

  it("moves a race on once when two jobs try at the same time, keeping what each wrote", async () => {
    await createRace(fleet, race(3));
    const id = raceIdFor(7, 3);
    const moves = await Promise.all([
      updateRaceIf(fleet, id, ["running"], { state: "ranking" }),
      updateRaceIf(fleet, id, ["running"], { state: "ranking" }),
    ]);
    expect(moves.filter((m) => m !== undefined)).toHaveLength(1);
    // Writes that do not race for a state both land (each on the record the other left).
    await Promise.all([
      updateRaceIf(fleet, id, ["ranking"], { commentId: 12 }),
      updateRaceIf(fleet, id, ["ranking"], { ranking: ["b", "a"] }),
    ]);
    expect(await readRace(fleet, id)).toMatchObject({ state: "ranking", commentId: 12, ranking: ["b", "a"] });
    expect(await updateRaceIf(fleet, id, ["running"], { state: "done" })).toBeUndefined();
  });

  it("counts a task as a candidate only in the attempt the race started", async () => {
    const record = race(4);
    const id = taskIdFor(7, 4, "alpha");
    await fleet.scheduler.enqueue({ ...draft(4, "alpha"), race: { id: record.id } }, 3);
    expect(isCandidate(record, await fleet.store.get(id))).toBe(true);
    // Asked again later (a label added back), the task is the person's, no longer the race's.
    await fleet.store.update(id, { state: "failed" });
    await fleet.scheduler.enqueue(draft(4, "alpha"), 3);
    const again = await fleet.store.get(id);
    expect(again?.race).toBeUndefined();
    expect(isCandidate(record, again)).toBe(false);
  });
});
