import { beforeEach, describe, expect, it } from "@jest/globals";
import { UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import pino from "pino";
import type { Fleet } from "../../src/fleet/fleet.js";
import { RUN_QUEUE, runJobId } from "../../src/fleet/queues.js";
import { reconcile } from "../../src/fleet/reconcile.js";
import { submitTask } from "../../src/fleet/submit-task.js";
import { taskIdFor } from "../../src/fleet/task.js";
import { draft } from "./drafts.js";
import { useFleet } from "./use-fleet.js";

// What a crash between two Redis writes can leave, and the reconciler's repair: no task lost, no slot leaked.

const log = pino({ level: "silent" });
const REPO = 7;
const id = (issue: number) => taskIdFor(REPO, issue, "scripted");

const harness = useFleet("recon");
let fleet: Fleet;
let connection: Redis;
beforeEach(() => {
  fleet = harness.fleet();
  connection = harness.connection();
});

/** Two tasks with one slot: the first is admitted and dispatched, the second waits. */
async function oneRunningOneWaiting(): Promise<void> {
  await submitTask(fleet, draft(1), 1);
  await submitTask(fleet, draft(2), 1);
  expect((await fleet.store.get(id(1)))?.state).toBe("dispatched");
  expect((await fleet.store.get(id(2)))?.state).toBe("queued");
}

describe("the reconciler", () => {
  it("gives a task that holds a slot without a run job its job back", async () => {
    await oneRunningOneWaiting();
    await (await fleet.queues.runs.getJob(runJobId(id(1), 1)))?.remove();

    await reconcile(fleet, log);
    expect(await fleet.queues.runs.getJob(runJobId(id(1), 1))).toBeDefined();
    expect((await fleet.store.get(id(2)))?.state).toBe("queued");
  });

  it("frees the slot of a task that ended without releasing it, for the next one", async () => {
    await oneRunningOneWaiting();
    await fleet.store.update(id(1), { state: "no-changes" });

    await reconcile(fleet, log);
    expect((await fleet.store.get(id(2)))?.state).toBe("dispatched");
    expect(await fleet.queues.runs.getJob(runJobId(id(2), 1))).toBeDefined();
  });

  it("ends a task whose run job BullMQ failed for good, says why, and starts the next", async () => {
    await oneRunningOneWaiting();
    await fleet.store.update(id(1), { state: "running" });
    // A job that fails outside run-task, as one whose workers kept dying does.
    const worker = new Worker(
      RUN_QUEUE,
      async () => {
        throw new UnrecoverableError("job stalled more than allowable limit");
      },
      { connection, prefix: fleet.keys.prefix, autorun: false },
    );
    const failed = new Promise((resolve) => worker.once("failed", resolve));
    void worker.run();
    await failed;
    await worker.close();

    await reconcile(fleet, log);
    const task = await fleet.store.get(id(1));
    expect(task?.state).toBe("failed");
    expect(task?.error?.message).toContain("job stalled more than allowable limit");
    expect((await fleet.queues.updates.getJobs(["waiting"])).map((j) => j.data)).toContainEqual({
      kind: "status",
      taskId: id(1),
    });
    expect((await fleet.store.get(id(2)))?.state).toBe("dispatched");
  });
});
