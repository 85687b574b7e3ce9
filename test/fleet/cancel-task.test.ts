import { beforeEach, describe, expect, it } from "@jest/globals";
import { requestCancel } from "../../src/fleet/cancel-task.js";
import type { Fleet } from "../../src/fleet/fleet.js";
import { taskIdFor } from "../../src/fleet/task.js";
import { draft } from "./drafts.js";
import { useFleet } from "./use-fleet.js";

// Stopping a task: what a removed label or a closed issue does to it, whatever state it is in.

const harness = useFleet("cancel");
let fleet: Fleet;
beforeEach(() => {
  fleet = harness.fleet();
});

const id = (issue: number) => taskIdFor(7, issue, "scripted");

describe("a stop request", () => {
  it("ends a waiting task at once and takes it out of the line, so it never gets a slot", async () => {
    await fleet.scheduler.enqueue(draft(1), 1);
    await fleet.scheduler.enqueue(draft(2), 1);
    expect(await requestCancel(fleet, id(2), 7, "@alice removed the label")).toBe("cancelled");
    const task = await fleet.store.get(id(2));
    expect(task).toMatchObject({ state: "cancelled", cancel: { reason: "@alice removed the label" } });
    expect(task?.finishedAt).toBeDefined();
    // The slot that frees goes to nobody: the line is empty.
    await fleet.store.update(id(1), { state: "checking" });
    expect(await fleet.scheduler.release(7, id(1))).toEqual([]);
    expect((await fleet.store.get(id(2)))?.state).toBe("cancelled");
  });

  it("asks a task that holds a slot to stop, once, and queues the cancellation of its run", async () => {
    await fleet.scheduler.enqueue(draft(1), 1);
    await fleet.store.update(id(1), { state: "running" });
    expect(await requestCancel(fleet, id(1), 7, "@alice closed the issue")).toBe("requested");
    expect(await requestCancel(fleet, id(1), 7, "@bob removed the label")).toBe("requested");
    const task = await fleet.store.get(id(1));
    // Still running until whoever runs it stops it; the first reason is the one shown.
    expect(task).toMatchObject({ state: "running", cancel: { reason: "@alice closed the issue" } });
    const jobs = await fleet.queues.updates.getJobs(["waiting", "delayed", "prioritized"]);
    expect(jobs.filter((j) => j.data.kind === "cancel-run").map((j) => j.data)).toContainEqual({
      kind: "cancel-run",
      taskId: id(1),
    });
    // The label added back meanwhile starts nothing, and says why.
    expect(await fleet.scheduler.enqueue(draft(1), 1)).toEqual({
      status: "active",
      state: "running",
      stopping: true,
    });
  });

  it("leaves a settled task, and an unknown one, alone", async () => {
    await fleet.scheduler.enqueue(draft(1), 1);
    await fleet.store.update(id(1), { state: "checking" });
    expect(await requestCancel(fleet, id(1), 7, "closed")).toBe("settled");
    expect((await fleet.store.get(id(1)))?.cancel).toBeUndefined();
    expect(await requestCancel(fleet, id(9), 7, "closed")).toBe("unknown");
  });

  it("clears with the next attempt, which runs normally", async () => {
    await fleet.scheduler.enqueue(draft(1), 1);
    await requestCancel(fleet, id(1), 7, "stop");
    await fleet.store.update(id(1), { state: "cancelled" });
    await fleet.scheduler.release(7, id(1));
    expect(await fleet.scheduler.enqueue(draft(1), 1)).toMatchObject({ status: "queued", attempt: 2 });
    expect((await fleet.store.get(id(1)))?.cancel).toBeUndefined();
  });
});
