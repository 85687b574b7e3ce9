import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { Worker } from "bullmq";
import { collectTask } from "../../src/fleet/collect-task.js";
import { collectJobId, RUN_QUEUE } from "../../src/fleet/queues.js";
import type { RunDeps } from "../../src/fleet/run-task.js";
import { runTask } from "../../src/fleet/run-task.js";
import type { Task } from "../../src/fleet/task.js";
import { watchRuns } from "../../src/fleet/watchdog.js";
import type { World } from "../helpers/sandbox.js";
import { actionsDeps, actionsDraft, actionsWorld } from "./actions-world.js";
import { useFleet } from "./use-fleet.js";

// A workflow run's follow-up without webhooks: none reaches Flotilla here. The watchdog is told what time it
// is; the collect job is called as its worker would.

const MINUTE = 60_000;

const harness = useFleet("watch");
let world: World;
let deps: RunDeps;
let repoId: number;
let issue = 0;

beforeAll(async () => {
  ({ world, repoId } = await actionsWorld());
});
afterAll(() => world.stop());
beforeEach(() => {
  deps = actionsDeps(world, harness.fleet());
});

/** A task on the actions backend, admitted and dispatched by its run job, as the worker does. */
async function dispatched(): Promise<Task> {
  const opened = await world.sandbox.script.openIssue({
    repo: "acme/widgets",
    title: "Watch me",
    user: "alice",
  });
  issue = opened.number;
  const base = actionsDraft(issue, repoId, "Watch me");
  await deps.fleet.scheduler.enqueue(base, 5);
  await runTask(deps, { taskId: base.id, attempt: 1 }, false);
  const task = await deps.fleet.store.get(base.id);
  if (!task?.run?.id) throw new Error(`not dispatched: ${JSON.stringify(task)}`);
  return task;
}

async function waitForState(jobId: string, state: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await (await deps.fleet.queues.runs.getJob(jobId))?.getState()) === state) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`job ${jobId} never became ${state}`);
}

async function runOf(runId: number) {
  const { data } = await world.installationOctokit().rest.actions.getWorkflowRun({
    owner: "acme",
    repo: "widgets",
    run_id: runId,
  });
  return data;
}

describe("the watchdog", () => {
  it("marks a run it finds started as running, and stops one past its limit, ending the task timed out", async () => {
    // A runner that works until it is cancelled.
    world.sandbox.script.setWorkflowExecutor({
      executor: ({ signal }) =>
        new Promise((resolve) =>
          signal.addEventListener("abort", () => resolve({ conclusion: "cancelled" })),
        ),
    });
    try {
      const task = await dispatched();
      const runId = task.run?.id as number;
      while ((await runOf(runId)).status !== "in_progress") await new Promise((r) => setTimeout(r, 20));

      // Within the job's limit (the agent's 1 minute + 10 to set up) and the margin: left alone.
      await watchRuns(deps, Date.now() + 15 * MINUTE);
      expect((await deps.fleet.store.get(task.id))?.state).toBe("running");
      expect((await runOf(runId)).status).toBe("in_progress");

      await watchRuns(deps, Date.now() + 17 * MINUTE);
      await world.sandbox.script.settleCi({});
      expect((await runOf(runId)).conclusion).toBe("cancelled");
      const ended = await deps.fleet.store.get(task.id);
      expect(ended).toMatchObject({
        state: "timed-out",
        error: { message: expect.stringContaining("went on past its time limit") },
      });
      expect(await deps.fleet.scheduler.holding(repoId)).not.toContain(task.id);
    } finally {
      world.sandbox.script.setWorkflowExecutor({ executor: null });
    }
  });

  it("cancels a run that never got a runner and dispatches it again, once", async () => {
    // No executor: the run stays queued, as when no runner picks the job up.
    const task = await dispatched();
    const first = task.run?.id as number;
    await watchRuns(deps, Date.now() + 5 * MINUTE);
    expect((await deps.fleet.store.get(task.id))?.run?.dispatch).toBe(1);

    const later = Date.now() + 16 * MINUTE;
    await Promise.all([watchRuns(deps, later), watchRuns(deps, later)]);
    expect((await runOf(first)).conclusion).toBe("cancelled");
    const again = await deps.fleet.store.get(task.id);
    expect(again?.run).toMatchObject({
      dispatch: 2,
      lost: [expect.stringMatching(/waited 1\d min for a runner/)],
    });
    expect(again?.run?.id).not.toBe(first);
    const runs = world.sandbox.store
      .repo("acme/widgets")
      .workflowRuns.filter((r) => String(r.inputs.task) === task.id);
    expect(runs.map((r) => r.displayTitle)).toEqual([`Flotilla ${task.id} a1.1`, `Flotilla ${task.id} a1.2`]);
  });

  it("asks again for a run whose collect job ended without collecting it, and for a task left publishing", async () => {
    world.sandbox.script.setWorkflowExecutor({ executor: async () => ({ conclusion: "success" }) });
    const worker = new Worker(RUN_QUEUE, async () => {}, {
      connection: harness.connection(),
      prefix: deps.fleet.keys.prefix,
    });
    try {
      const task = await dispatched();
      await world.sandbox.script.settleCi({});
      const job = { taskId: task.id, attempt: 1, dispatch: 1 };
      // A collect job that ended having done nothing (it saw the run still in progress, GitHub's API behind
      // its webhook): its id is kept, so a plain add would be ignored.
      await deps.fleet.queues.runs.add("collect", job, { jobId: collectJobId(job) });
      await waitForState(collectJobId(job), "completed");
      await worker.close();
      await watchRuns(deps);
      expect(await (await deps.fleet.queues.runs.getJob(collectJobId(job)))?.getState()).toBe("waiting");

      // A task whose collect job vanished while it was publishing.
      await (await deps.fleet.queues.runs.getJob(collectJobId(job)))?.remove();
      await deps.fleet.store.update(task.id, { state: "publishing" });
      await watchRuns(deps);
      expect(await (await deps.fleet.queues.runs.getJob(collectJobId(job)))?.getState()).toBe("waiting");
    } finally {
      await worker.close();
      world.sandbox.script.setWorkflowExecutor({ executor: null });
    }
  });

  it("collects a run that completed without a word from GitHub", async () => {
    world.sandbox.script.setWorkflowExecutor({ executor: async () => ({ conclusion: "success" }) });
    try {
      const task = await dispatched();
      await world.sandbox.script.settleCi({});
      await watchRuns(deps);
      const job = { taskId: task.id, attempt: 1, dispatch: 1 };
      expect(await deps.fleet.queues.runs.getJob(collectJobId(job))).toBeDefined();
    } finally {
      world.sandbox.script.setWorkflowExecutor({ executor: null });
    }
  });
});

describe("the collect job", () => {
  it("opens no pull request for a task stopped after its commit", async () => {
    world.sandbox.script.setWorkflowExecutor({ executor: async () => ({ conclusion: "success" }) });
    try {
      const task = await dispatched();
      await world.sandbox.script.settleCi({});
      // Resumed after a crash between the commit and the pull request, with a stop asked for meanwhile.
      await deps.fleet.store.update(task.id, {
        state: "publishing",
        commitSha: world.repo.headSha,
        cancel: { at: new Date().toISOString(), reason: "@alice removed the label" },
      });
      await collectTask(deps, { taskId: task.id, attempt: 1, dispatch: 1 }, false);
      expect((await deps.fleet.store.get(task.id))?.state).toBe("cancelled");
      const { data: pulls } = await world
        .installationOctokit()
        .rest.pulls.list({ owner: "acme", repo: "widgets" });
      expect(pulls.filter((p) => p.head.ref === task.branch)).toEqual([]);
    } finally {
      world.sandbox.script.setWorkflowExecutor({ executor: null });
    }
  });

  it("does nothing for a dispatch or an attempt that was superseded", async () => {
    world.sandbox.script.setWorkflowExecutor({ executor: async () => ({ conclusion: "success" }) });
    try {
      const task = await dispatched();
      await world.sandbox.script.settleCi({});
      const before = await deps.fleet.store.get(task.id);
      await collectTask(deps, { taskId: task.id, attempt: 1, dispatch: 2 }, false);
      await collectTask(deps, { taskId: task.id, attempt: 2, dispatch: 1 }, false);
      const after = await deps.fleet.store.get(task.id);
      expect(after?.state).toBe(before?.state);
      expect(after?.version).toBe(before?.version);
    } finally {
      world.sandbox.script.setWorkflowExecutor({ executor: null });
    }
  });
});
