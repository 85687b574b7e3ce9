import { beforeEach, describe, expect, it } from "@jest/globals";
import { requestCancel } from "../../src/fleet/cancel-task.js";
import type { Fleet } from "../../src/fleet/fleet.js";
import { taskIdFor } from "../../src/fleet/task.js";
import { readTimeline, TIMELINE_LENGTH } from "../../src/fleet/task-timeline.js";
import { draft } from "./drafts.js";
import { useFleet } from "./use-fleet.js";

// A task's timeline: every move from state to state, whichever script or writer made it, for the dashboard.

const harness = useFleet("timeline");
let fleet: Fleet;
beforeEach(() => {
  fleet = harness.fleet();
});
const id = (issue: number) => taskIdFor(7, issue, "scripted");
const states = async (issue: number) => (await readTimeline(fleet, id(issue))).map((e) => e.state);

describe("a task's timeline", () => {
  it("records each move, by the scheduler, the worker and conditional updates, oldest first, with times", async () => {
    await fleet.scheduler.enqueue(draft(1), 1); // admitted at once: queued, then dispatched
    await fleet.store.update(id(1), { state: "running", startedAt: new Date().toISOString() });
    await fleet.store.update(id(1), { commentId: 5 }); // not a move
    await fleet.store.updateIf(id(1), { states: ["running"] }, { state: "checking" });
    await fleet.store.updateIf(id(1), { states: ["running"] }, { state: "failed" }); // refused: not a move
    expect(await states(1)).toEqual(["queued", "dispatched", "running", "checking"]);
    const entries = await readTimeline(fleet, id(1));
    expect(entries.every((e) => e.attempt === 1 && !Number.isNaN(Date.parse(e.at)))).toBe(true);
  });

  it("says who stopped a task, and the next attempt's moves carry its number", async () => {
    await fleet.scheduler.enqueue(draft(1), 1);
    await fleet.scheduler.enqueue(draft(2), 1); // waits behind 1
    await requestCancel(fleet, id(2), 7, "@alice removed the label");
    await fleet.store.update(id(1), { state: "running" });
    await requestCancel(fleet, id(1), 7, "@alice stopped it");
    expect(await readTimeline(fleet, id(2))).toEqual([
      expect.objectContaining({ state: "queued", attempt: 1 }),
      expect.objectContaining({ state: "cancelled", attempt: 1, note: "@alice removed the label" }),
    ]);
    expect((await readTimeline(fleet, id(1))).at(-1)).toMatchObject({
      state: "running",
      note: "stop asked: @alice stopped it",
    });
    await fleet.store.update(id(1), { state: "cancelled" });
    await fleet.scheduler.release(7, id(1)); // frees the slot for nobody
    await fleet.scheduler.enqueue(draft(2), 1);
    expect((await readTimeline(fleet, id(2))).slice(-2)).toEqual([
      expect.objectContaining({ state: "queued", attempt: 2 }),
      expect.objectContaining({ state: "dispatched", attempt: 2 }),
    ]);
  });

  it("keeps the most recent moves only", async () => {
    await fleet.scheduler.enqueue(draft(1), 1);
    for (let i = 0; i < TIMELINE_LENGTH; i++)
      await fleet.store.update(id(1), { state: i % 2 ? "running" : "checking" });
    const entries = await readTimeline(fleet, id(1));
    expect(entries).toHaveLength(TIMELINE_LENGTH);
    expect(entries[0]?.state).not.toBe("queued");
  });
});
