import { beforeEach, describe, expect, it } from "@jest/globals";
import { type Fleet, openFleet } from "../../src/fleet/fleet.js";
import { Scheduler } from "../../src/fleet/scheduler.js";
import { taskIdFor } from "../../src/fleet/task.js";
import { draft } from "./drafts.js";
import { useFleet } from "./use-fleet.js";

const harness = useFleet("sched");
let fleet: Fleet;
beforeEach(() => {
  fleet = harness.fleet();
});

describe("the scheduler", () => {
  it("admits tasks up to the repository's limit and keeps the rest waiting in arrival order", async () => {
    const results = [];
    for (let issue = 1; issue <= 5; issue++) results.push(await fleet.scheduler.enqueue(draft(issue), 2));
    expect(results.map((r) => (r.status === "queued" ? r.position : -1))).toEqual([0, 0, 1, 2, 3]);
    expect(results.flatMap((r) => (r.status === "queued" ? r.admitted : []))).toEqual([
      taskIdFor(7, 1, "scripted"),
      taskIdFor(7, 2, "scripted"),
    ]);
    expect((await fleet.store.get(taskIdFor(7, 3, "scripted")))?.state).toBe("queued");
    expect((await fleet.store.get(taskIdFor(7, 1, "scripted")))?.state).toBe("dispatched");

    // A finished task frees its slot for the oldest waiting one, and only one.
    await fleet.store.update(taskIdFor(7, 1, "scripted"), { state: "checking" });
    expect(await fleet.scheduler.release(7, taskIdFor(7, 1, "scripted"))).toEqual([
      taskIdFor(7, 3, "scripted"),
    ]);
    expect(await fleet.scheduler.release(7, taskIdFor(7, 1, "scripted"))).toEqual([]);
    expect((await fleet.scheduler.holding(7)).sort()).toEqual(
      [taskIdFor(7, 2, "scripted"), taskIdFor(7, 3, "scripted")].sort(),
    );
  });

  it("keeps repositories' slots apart", async () => {
    await fleet.scheduler.enqueue(draft(1, "scripted", 7), 1);
    const other = await fleet.scheduler.enqueue(draft(1, "scripted", 8), 1);
    expect(other).toMatchObject({ status: "queued", position: 0, admitted: [taskIdFor(8, 1, "scripted")] });
  });

  it("starts nothing for a delivery it has seen, or for a task that is already queued or running", async () => {
    expect(await fleet.scheduler.enqueue(draft(1), 3, "guid-1")).toMatchObject({
      status: "queued",
      attempt: 1,
    });
    expect(await fleet.scheduler.enqueue(draft(1), 3, "guid-1")).toEqual({ status: "duplicate-delivery" });
    expect(await fleet.scheduler.enqueue(draft(1), 3, "guid-2")).toEqual({
      status: "active",
      state: "dispatched",
      stopping: false,
    });
    expect(await fleet.scheduler.holding(7)).toHaveLength(1);
  });

  it("starts a new attempt of a settled task, keeping its pull request and status comment", async () => {
    const id = taskIdFor(7, 1, "scripted");
    await fleet.scheduler.enqueue(draft(1), 3, "guid-1");
    await fleet.store.update(id, {
      state: "failed",
      commentId: 42,
      pr: { number: 3, url: "u" },
      error: { kind: "agent", message: "x" },
      commitSha: "abc",
    });
    await fleet.scheduler.release(7, id);
    expect(await fleet.scheduler.enqueue(draft(1), 3, "guid-2")).toMatchObject({
      status: "queued",
      attempt: 2,
    });
    const task = await fleet.store.get(id);
    expect(task).toMatchObject({ state: "dispatched", attempt: 2, commentId: 42, pr: { number: 3 } });
    expect(task?.error).toBeUndefined();
    expect(task?.commitSha).toBeUndefined();
  });

  it("keeps the limit when a rerun is admitted before the finished attempt released its slot", async () => {
    const [first, second, third] = [1, 2, 3].map((issue) => taskIdFor(7, issue, "scripted"));
    await fleet.scheduler.enqueue(draft(1), 2);
    // Attempt 1 has ended but not yet released its slot when someone labels the issue again.
    await fleet.store.update(first as string, { state: "no-changes" });
    expect(await fleet.scheduler.enqueue(draft(1), 2)).toMatchObject({ status: "queued", attempt: 2 });
    expect((await fleet.store.get(first as string))?.state).toBe("dispatched");

    // Attempt 1's late release leaves the slot to attempt 2: two more tasks get one slot between them.
    await fleet.scheduler.release(7, first as string);
    expect(await fleet.scheduler.holding(7)).toEqual([first]);
    await fleet.scheduler.enqueue(draft(2), 2);
    await fleet.scheduler.enqueue(draft(3), 2);
    expect((await fleet.store.get(second as string))?.state).toBe("dispatched");
    expect((await fleet.store.get(third as string))?.state).toBe("queued");
  });

  it("frees the slot of a finished attempt whose rerun is still waiting in line", async () => {
    const [first, second] = [1, 2].map((issue) => taskIdFor(7, issue, "scripted"));
    await fleet.scheduler.enqueue(draft(1), 1);
    await fleet.scheduler.enqueue(draft(2), 1);
    await fleet.store.update(first as string, { state: "failed" });
    // The rerun goes to the back of the line, behind the second task.
    expect(await fleet.scheduler.enqueue(draft(1), 1)).toMatchObject({ status: "queued", position: 2 });
    expect(await fleet.scheduler.release(7, first as string)).toEqual([second]);
    expect(await fleet.scheduler.holding(7)).toEqual([second]);
  });

  it("never admits past the limit when many processes enqueue at once", async () => {
    const connections = [harness.connect(), harness.connect(), harness.connect()];
    const fleets = connections.map((c) => openFleet(c, fleet.keys.prefix));
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => (fleets[i % 3] as Fleet).scheduler.enqueue(draft(i + 1), 4)),
    );
    expect(await fleet.scheduler.holding(7)).toHaveLength(4);
    await Promise.all(fleets.map((f) => f.close()));
  });
});

describe("priorities and fairness", () => {
  const id = (issue: number, repo = 7) => taskIdFor(repo, issue, "scripted");

  it("starts a high-priority task next, whatever came before it, and low-priority ones last", async () => {
    await fleet.scheduler.enqueue(draft(1), 1);
    expect(await fleet.scheduler.enqueue(draft(2), 1, undefined, "normal")).toMatchObject({ position: 1 });
    expect(await fleet.scheduler.enqueue(draft(3), 1, undefined, "low")).toMatchObject({ position: 2 });
    expect(await fleet.scheduler.enqueue(draft(4), 1, undefined, "normal")).toMatchObject({ position: 2 });
    // Labelled last, it goes first.
    expect(await fleet.scheduler.enqueue(draft(5), 1, undefined, "high")).toMatchObject({ position: 1 });
    const order: string[] = [];
    let running = id(1);
    for (let turn = 0; turn < 4; turn++) {
      await fleet.store.update(running, { state: "checking" });
      const [next] = await fleet.scheduler.release(7, running);
      if (!next) throw new Error("nothing admitted");
      order.push(next);
      running = next;
    }
    expect(order).toEqual([id(5), id(2), id(4), id(3)]);
  });

  it("never runs more than the installation's limit across its repositories", async () => {
    const scheduler = new Scheduler(fleet.redis, fleet.keys, 3);
    for (const repo of [7, 8, 9])
      for (let issue = 1; issue <= 3; issue++) await scheduler.enqueue(draft(issue, "scripted", repo), 5);
    const holding = [7, 8, 9].map(async (repo) => (await scheduler.holding(repo)).length);
    expect((await Promise.all(holding)).reduce((a, b) => a + b, 0)).toBe(3);
    // Another installation has its own slots.
    const other = { ...draft(1, "scripted", 10), installationId: 2 };
    expect(await scheduler.enqueue(other, 5)).toMatchObject({ position: 0, admitted: [id(1, 10)] });
  });

  it("lets a quiet repository's tasks start within the first turns while a busy one has 30 waiting", async () => {
    const scheduler = new Scheduler(fleet.redis, fleet.keys, 3);
    for (let issue = 1; issue <= 30; issue++) await scheduler.enqueue(draft(issue, "scripted", 7), 10);
    for (let issue = 1; issue <= 3; issue++) await scheduler.enqueue(draft(issue, "scripted", 8), 10);
    const started: string[] = [...(await scheduler.holding(7))];
    // Five tasks of the busy repository end, one at a time; each frees one installation slot.
    for (let round = 0; round < 5; round++) {
      const done = (await scheduler.holding(7)).sort()[0] ?? "";
      await fleet.store.update(done, { state: "checking" });
      started.push(...(await scheduler.release(7, done)));
    }
    const quiet = started.filter((task) => task.startsWith("r8-"));
    expect(quiet).toEqual([id(1, 8), id(2, 8), id(3, 8)]);
    // The repositories took turns after the first three of A: B, A, B, A, B (then B holds all three slots).
    expect(started.slice(3).map((task) => task.split("-")[0])).toEqual(["r8", "r7", "r8", "r7", "r8"]);
  });

  it("frees the slot in the installation that gave it, when the repository moved to another meanwhile", async () => {
    const scheduler = new Scheduler(fleet.redis, fleet.keys, 1);
    expect(await scheduler.enqueue(draft(1, "scripted", 7), 5)).toMatchObject({ admitted: [id(1)] });
    // The App reinstalled: the repository's next task comes under installation 2, which has its own slot.
    const moved = { ...draft(2, "scripted", 7), installationId: 2 };
    expect(await scheduler.enqueue(moved, 5)).toMatchObject({ admitted: [id(2)] });
    await fleet.store.update(id(1), { state: "checking" });
    await scheduler.release(7, id(1));
    // Installation 1's slot is free again for its other repositories.
    expect(await scheduler.enqueue(draft(1, "scripted", 8), 5)).toMatchObject({ admitted: [id(1, 8)] });
  });

  it("moves a waiting task to another lane when its priority changes, and leaves a running one alone", async () => {
    await fleet.scheduler.enqueue(draft(1), 1);
    await fleet.scheduler.enqueue(draft(2), 1);
    await fleet.scheduler.enqueue(draft(3), 1);
    expect(await fleet.scheduler.reprioritize(7, id(3), "high")).toBe(1);
    expect(await fleet.scheduler.reprioritize(7, id(3), "high")).toBeUndefined();
    expect(await fleet.scheduler.reprioritize(7, id(1), "low")).toBeUndefined();
    expect((await fleet.store.get(id(3)))?.position).toBe(1);
    await fleet.store.update(id(1), { state: "checking" });
    expect(await fleet.scheduler.release(7, id(1))).toEqual([id(3)]);
  });
});
