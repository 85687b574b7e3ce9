import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import pino from "pino";
import type { Fleet } from "../../src/fleet/fleet.js";
import { iteratePull, iterateReply, takeFeedback } from "../../src/fleet/iterate-pull.js";
import {
  addFeedback,
  clearFeedback,
  type PendingFeedback,
  pendingFeedback,
} from "../../src/fleet/pending-feedback.js";
import type { TaskDraft } from "../../src/fleet/scheduler.js";
import { SLOT_STATES, type Task } from "../../src/fleet/task.js";
import type { GitHub } from "../../src/github/octokit.js";
import { startWorld, type World } from "../helpers/sandbox.js";
import { draft } from "./drafts.js";
import { useFleet } from "./use-fleet.js";

// The waiting line for people's feedback and the start of iterations, on a real Redis and the sandbox's
// pull requests: nothing given during a run is lost, several comments make one iteration, the cap holds.

const harness = useFleet("iterate");
let fleet: Fleet;
let world: World;
let gh: GitHub;
const deps = () => ({ fleet, log: pino({ level: "silent" }) });

beforeAll(async () => {
  world = await startWorld();
  gh = world.installationOctokit() as unknown as GitHub;
});
afterAll(() => world.stop());
beforeEach(() => {
  fleet = harness.fleet();
});

let pulls = 0;
/** A task whose run ended with a pull request open in the sandbox (its branch has one commit). */
async function settledTaskWithPull(patch: Partial<TaskDraft> = {}): Promise<{ task: Task; head: string }> {
  const issue = ++pulls;
  const base = { ...draft(issue), ...patch };
  const { sha } = await world.sandbox.script.pushFiles({
    repo: "acme/widgets",
    branch: base.branch,
    files: { [`file-${issue}.txt`]: `${issue}\n` },
  });
  const pr = await world.sandbox.script.openPullRequest({
    repo: "acme/widgets",
    head: base.branch,
    title: `Pull ${issue}`,
    user: "alice",
  });
  await fleet.scheduler.enqueue(base, 5);
  const task = await fleet.store.update(base.id, {
    state: "ready",
    pr: { number: pr.number, url: `https://example.invalid/pull/${pr.number}` },
  });
  await fleet.scheduler.release(task.repo.id, task.id);
  return { task, head: sha };
}

const feedback = (id: string, text: string, extra: Partial<PendingFeedback> = {}): PendingFeedback => ({
  id,
  text,
  author: "alice",
  at: new Date().toISOString(),
  ...extra,
});

const holding = (task: Task) => ({ states: SLOT_STATES, attempt: task.attempt });

describe("pending feedback", () => {
  it("adds a comment once however often it is delivered, and a stop discards what waits", async () => {
    const { task } = await settledTaskWithPull();
    expect(await addFeedback(fleet, task.id, feedback("comment-1", "one"))).toBe(true);
    expect(await addFeedback(fleet, task.id, feedback("comment-1", "one"))).toBe(false);
    expect(await addFeedback(fleet, task.id, feedback("comment-2", "two"))).toBe(true);
    expect((await pendingFeedback(fleet, task.id)).map((f) => f.text)).toEqual(["one", "two"]);

    expect(await clearFeedback(fleet, task.id)).toBe(2);
    expect(await pendingFeedback(fleet, task.id)).toEqual([]);
    // Discarded, not forgotten: a redelivery of the same comment does not bring it back.
    expect(await addFeedback(fleet, task.id, feedback("comment-1", "one"))).toBe(false);
  });
});

describe("iteratePull", () => {
  it("waits while a run is in progress, then starts one iteration that takes everything given meanwhile", async () => {
    const { task, head } = await settledTaskWithPull();
    await fleet.store.update(task.id, { state: "running" });
    await addFeedback(fleet, task.id, feedback("comment-1", "one"));
    expect(await iteratePull(deps(), gh, task.id)).toBe("waiting");
    await addFeedback(fleet, task.id, feedback("comment-2", "two"));
    await fleet.store.update(task.id, { state: "ready" });

    expect(await iteratePull(deps(), gh, task.id)).toBe("started");
    // Asked again (the command's job and the run's end racing): still one iteration.
    expect(await iteratePull(deps(), gh, task.id)).toBe("waiting");
    const queued = await fleet.store.get(task.id);
    expect(queued).toMatchObject({
      attempt: 2,
      state: "dispatched",
      pr: task.pr,
      iteration: { headSha: head, automatic: false, feedback: [] },
    });

    // Given after it was queued, before it started: it still goes with this iteration.
    await addFeedback(fleet, task.id, feedback("comment-3", "three"));
    const started = await takeFeedback(fleet, queued as Task, holding(queued as Task));
    expect(started.iteration?.feedback).toEqual([
      { id: "comment-1", author: "alice", text: "one" },
      { id: "comment-2", author: "alice", text: "two" },
      { id: "comment-3", author: "alice", text: "three" },
    ]);
    expect(await pendingFeedback(fleet, task.id)).toEqual([]);
    // A retried job takes nothing twice.
    expect((await takeFeedback(fleet, started, holding(started))).iteration?.feedback).toHaveLength(3);
    expect(await iteratePull(deps(), gh, task.id)).toBe("nothing");
  });

  it("starts the next iteration after one that was stopped before it ran, with the feedback still waiting", async () => {
    const { task } = await settledTaskWithPull();
    await addFeedback(fleet, task.id, feedback("comment-1", "one"));
    expect(await iteratePull(deps(), gh, task.id)).toBe("started");
    // Stopped while it waited for a worker: it never took the feedback.
    await fleet.store.update(task.id, { state: "cancelled" });
    await fleet.scheduler.release(task.repo.id, task.id);
    await addFeedback(fleet, task.id, feedback("comment-2", "two"));

    expect(await iteratePull(deps(), gh, task.id)).toBe("started");
    const queued = (await fleet.store.get(task.id)) as Task;
    expect(queued.attempt).toBe(3);
    const started = await takeFeedback(fleet, queued, holding(queued));
    expect(started.iteration?.feedback.map((f) => f.id)).toEqual(["comment-1", "comment-2"]);
  });

  it("hands the iteration to the agent named by the last `/agent use`", async () => {
    const { task } = await settledTaskWithPull();
    const codex = { ...task.settings.agent, command: ["codex-cli"] };
    await addFeedback(
      fleet,
      task.id,
      feedback("comment-1", "take over", { agent: { name: "codex", settings: codex } }),
    );
    await addFeedback(fleet, task.id, feedback("comment-2", "and add tests"));

    expect(await iteratePull(deps(), gh, task.id)).toBe("started");
    const queued = await fleet.store.get(task.id);
    expect(queued).toMatchObject({ agent: "codex", branch: task.branch, settings: { agent: codex } });
  });

  it("stops at the day's cap with a reply, and keeps the feedback for the next iteration", async () => {
    const { task } = await settledTaskWithPull({
      settings: { ...draft(0).settings, commands: { reviews: "changes-requested", dailyIterations: 1 } },
    });
    await addFeedback(fleet, task.id, feedback("comment-1", "one"));
    expect(await iteratePull(deps(), gh, task.id)).toBe("started");
    const queued = (await fleet.store.get(task.id)) as Task;
    await takeFeedback(fleet, queued, holding(queued));
    await fleet.store.update(task.id, { state: "ready" });
    await fleet.scheduler.release(task.repo.id, task.id);

    await addFeedback(fleet, task.id, feedback("comment-2", "two"));
    expect(await iteratePull(deps(), gh, task.id)).toBe("capped");
    expect(iterateReply("capped", queued)).toContain("its 1 iterations for today (UTC)");
    expect((await pendingFeedback(fleet, task.id)).map((f) => f.id)).toEqual(["comment-2"]);
    expect((await fleet.store.get(task.id))?.attempt).toBe(2);
  });

  it("starts nothing on a closed pull request or without a pull request, and says why", async () => {
    const closed = await settledTaskWithPull();
    await gh.rest.pulls.update({
      owner: "acme",
      repo: "widgets",
      pull_number: closed.task.pr?.number ?? 0,
      state: "closed",
    });
    const bare = await settledTaskWithPull();
    await fleet.store.update(bare.task.id, { pr: undefined });
    for (const { task } of [closed, bare]) await addFeedback(fleet, task.id, feedback("comment-1", "one"));

    expect(await iteratePull(deps(), gh, closed.task.id)).toBe("closed");
    expect(await iteratePull(deps(), gh, bare.task.id)).toBe("no-pull");
    expect(iterateReply("closed", closed.task)).toContain("closed");
    for (const { task } of [closed, bare]) expect((await fleet.store.get(task.id))?.attempt).toBe(1);
    // Refused with a reply, the feedback is not kept; without a pull request yet, it waits for one.
    expect(await pendingFeedback(fleet, closed.task.id)).toEqual([]);
    expect(await pendingFeedback(fleet, bare.task.id)).toHaveLength(1);
  });
});
