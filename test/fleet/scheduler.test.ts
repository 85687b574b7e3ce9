import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import type { Redis } from "ioredis";
import { type Fleet, openFleet } from "../../src/fleet/fleet.js";
import type { TaskDraft } from "../../src/fleet/scheduler.js";
import { branchFor, taskIdFor } from "../../src/fleet/task.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";

let redis: TestRedis;
let connection: Redis;
let fleet: Fleet;
let prefix = 0;

beforeAll(async () => {
  redis = await startRedis();
  connection = redis.connect();
});
afterAll(() => redis.stop());
beforeEach(() => {
  fleet = openFleet(connection, `sched${++prefix}`);
});
afterEach(() => fleet.close());

function draft(issue: number, agent = "scripted", repoId = 7): TaskDraft {
  return {
    id: taskIdFor(repoId, issue, agent),
    repo: {
      id: repoId,
      owner: "acme",
      name: "widgets",
      defaultBranch: "main",
      cloneUrl: "http://x/acme/widgets.git",
    },
    installationId: 1,
    issue,
    agent,
    sender: "alice",
    branch: branchFor(issue, agent),
    settings: {
      backend: "local",
      agent: { adapter: "command", command: ["true"], timeout: 60_000, secrets: [] },
      protectedPaths: [],
      limits: { maxFilesChanged: 10, maxBytesChanged: 1000 },
    },
  };
}

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

  it("never admits past the limit when many processes enqueue at once", async () => {
    const connections = [redis.connect(), redis.connect(), redis.connect()];
    const fleets = connections.map((c) => openFleet(c, fleet.keys.prefix));
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => (fleets[i % 3] as Fleet).scheduler.enqueue(draft(i + 1), 4)),
    );
    expect(await fleet.scheduler.holding(7)).toHaveLength(4);
    await Promise.all(fleets.map((f) => f.close()));
  });
});
