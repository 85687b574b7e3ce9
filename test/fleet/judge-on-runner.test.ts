import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { ActionsBackend } from "../../src/backends/actions/actions-backend.js";
import { judgeOnRunner, judgeRunCompleted } from "../../src/fleet/review/judge-on-runner.js";
import type { RunDeps } from "../../src/fleet/run-task.js";
import type { Task } from "../../src/fleet/task.js";
import type { GitHub } from "../../src/github/octokit.js";
import type { World } from "../helpers/sandbox.js";
import { actionsDeps, actionsDraft, actionsWorld } from "./actions-world.js";
import { useFleet } from "./use-fleet.js";

// The judge's workflow run, followed by the judge job: cancelled when a newer head stops the judge; when the
// job fails while following it, left for the job's next try, which picks the same run up, or cancelled when
// no try follows, so it does not hold a runner for nothing.

const RUN_ROUTE = "GET /repos/{owner}/{repo}/actions/runs/{run_id}";

const harness = useFleet("judge-runner");
const backend = new ActionsBackend();
let world: World;
let deps: RunDeps;
let repoId: number;

beforeAll(async () => {
  ({ world, repoId } = await actionsWorld());
});
afterAll(() => world.stop());
beforeEach(() => {
  deps = actionsDeps(world, harness.fleet(), { backends: { actions: backend }, remotePollMs: 50 });
});
afterEach(() => {
  world.sandbox.script.clearFaults({});
});

/** A task on the actions backend with a judge; no runner picks its runs up, so they stay queued. */
async function judgedTask(issue: number): Promise<Task> {
  const base = actionsDraft(issue, repoId, "Judge me");
  const judge = {
    name: "judge",
    agent: base.settings.agent,
    sameAsAuthor: false,
    maxRounds: 2,
    ciTimeoutMs: 60_000,
  };
  await deps.fleet.scheduler.enqueue({ ...base, settings: { ...base.settings, judge } }, 5);
  const task = await deps.fleet.store.get(base.id);
  if (!task) throw new Error("not stored");
  return task;
}

/** One judge round on `task`'s head, as the judge job runs it on its try (`lastTry` or not). */
function judgeRound(task: Task, lastTry: boolean, stop = new AbortController().signal) {
  return judgeOnRunner(
    deps,
    world.installationOctokit() as unknown as GitHub,
    backend,
    {
      task,
      head: { sha: world.repo.headSha, usageRun: "j1", superseded: async () => false },
      round: 1,
      request: { issue: { number: task.issue, title: "Judge me", body: "" }, diff: "" },
    },
    { stop, stopping: undefined, lastTry },
  );
}

const judgeRuns = (task: Task) =>
  world.sandbox.store
    .repo("acme/widgets")
    .workflowRuns.filter((r) => String(r.inputs.task) === task.id && r.inputs.role === "judge");

describe("a judge run on GitHub Actions", () => {
  it("is left running when its job fails, for the job's next try, which follows the same run instead of dispatching another", async () => {
    const task = await judgedTask(801);
    world.sandbox.script.addFault({ route: RUN_ROUTE, kind: "500", times: 4 });
    await expect(judgeRound(task, false)).rejects.toMatchObject({ status: 500 });
    const [run] = judgeRuns(task);
    expect(run?.status).toBe("queued");

    // The next try finds the run of this round in its record: it follows it, it does not dispatch another.
    world.sandbox.script.addFault({ route: RUN_ROUTE, kind: "500", times: 4 });
    await expect(judgeRound(task, false)).rejects.toMatchObject({ status: 500 });
    expect(judgeRuns(task)).toHaveLength(1);
  });

  it("is cancelled when its job fails and no try follows, so it does not hold a runner until its timeout", async () => {
    const task = await judgedTask(802);
    world.sandbox.script.addFault({ route: RUN_ROUTE, kind: "500", times: 4 });
    await expect(judgeRound(task, true)).rejects.toMatchObject({ status: 500 });
    const [run] = judgeRuns(task);
    expect(judgeRuns(task)).toHaveLength(1);
    expect(run).toMatchObject({ status: "completed", conclusion: "cancelled" });
  });

  it("is cancelled when a newer head stops the judge, and the round ends stopped", async () => {
    const task = await judgedTask(803);
    const stop = new AbortController();
    const round = judgeRound(task, false, stop.signal);
    while (judgeRuns(task).length === 0) await new Promise((r) => setTimeout(r, 20));
    stop.abort();
    await expect(round).resolves.toEqual({
      outcome: { kind: "cancelled", message: "The judge was stopped." },
    });
    expect(judgeRuns(task)[0]).toMatchObject({ status: "completed", conclusion: "cancelled" });
  });

  it("is read as soon as its completed webhook comes, without waiting for the next look", async () => {
    // Looks on GitHub ten minutes apart: only the webhook's word can end this round within the test.
    deps.remotePollMs = 10 * 60_000;
    let finish = () => {};
    const finished = new Promise<{ conclusion: "success" }>((resolve) => {
      finish = () => resolve({ conclusion: "success" });
    });
    world.sandbox.script.setWorkflowExecutor({ executor: () => finished });
    try {
      const task = await judgedTask(804);
      const round = judgeRound(task, false);
      while (judgeRuns(task)[0]?.status !== "in_progress") await new Promise((r) => setTimeout(r, 20));
      const runId = judgeRuns(task)[0]?.id as number;
      // Its first look found it running; then the run completes (without uploading an answer).
      await new Promise((r) => setTimeout(r, 200));
      finish();
      await world.sandbox.script.settleCi({});
      expect(await judgeRunCompleted(deps.fleet, repoId, runId)).toBe(true);
      await expect(round).resolves.toMatchObject({
        outcome: {
          kind: "agent-error",
          message: expect.stringContaining("left no `flotilla-result` artifact"),
        },
      });
      // The webhook of a run no judge follows (CI, say) leaves nothing behind.
      expect(await judgeRunCompleted(deps.fleet, repoId, runId + 1000)).toBe(false);
      expect(await deps.fleet.redis.exists(deps.fleet.keys.judgeRunState(repoId, runId + 1000))).toBe(0);
    } finally {
      world.sandbox.script.setWorkflowExecutor({ executor: null });
    }
  });
});
