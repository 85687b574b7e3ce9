import { type ChildProcess, spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "@jest/globals";
import { Keys } from "../../src/fleet/keys.js";
import { taskIdFor } from "../../src/fleet/task.js";
import { TaskStore } from "../../src/fleet/task-store.js";
import { configWithScriptedAgent, type Loop, scriptedIssue, startLoop, waitFor } from "../helpers/loop.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";

// What survives a crash: Redis gone while a webhook arrives, and a worker killed in the middle of a task.

const FILES = {
  "README.md": "# widgets\n",
  ".github/flotilla.yml": configWithScriptedAgent(),
};

let loop: Loop | undefined;
let revived: TestRedis | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await loop?.stop();
  await revived?.stop();
  loop = revived = child = undefined;
});

const labelDeliveries = (issue: number) =>
  (loop as Loop).world.sandbox.webhooks.deliveries.filter(
    (d) =>
      d.event === "issues" &&
      d.action === "labeled" &&
      (d.payload as { issue: { number: number } }).issue.number === issue,
  );

describe("Redis is down when a webhook arrives", () => {
  it("fails the delivery with a 5xx, and a redelivery once Redis is back queues the task", async () => {
    // Only the webhook server: this is about acknowledging, not running.
    loop = await startLoop({ files: FILES, roles: { app: true, worker: false } });
    const issue = await loop.openIssue("add() subtracts", scriptedIssue("echo hi"));
    await loop.redis.stop();

    await loop.label(issue, "agent:scripted");
    await loop.world.sandbox.webhooks.settled();
    const [delivery] = labelDeliveries(issue);
    if (!delivery) throw new Error("no labeled delivery");
    expect(delivery.status).toBe("failed");
    expect(delivery.statusCode).toBeGreaterThanOrEqual(500);

    // GitHub's "Redeliver" once Redis is back where Flotilla looks for it: the task is queued.
    revived = await startRedis({ port: loop.redis.port });
    const store = new TaskStore(revived.connect(), new Keys(loop.settings.redisPrefix));
    const repoId = (delivery.payload as { repository: { id: number } }).repository.id;
    const again = await waitFor("a redelivery Flotilla accepts", async () => {
      const attempt = loop?.world.sandbox.webhooks.redeliver(delivery.guid);
      await loop?.world.sandbox.webhooks.settled();
      return attempt?.status === "delivered" ? attempt : undefined;
    });
    expect(again.statusCode).toBeLessThan(300);
    // Admitted to a free slot and handed to the run queue, for a worker to pick up.
    expect((await store.get(taskIdFor(repoId, issue, "scripted")))?.state).toBe("dispatched");
  });
});

describe("a worker killed with SIGKILL mid-task", () => {
  it("is replaced by another worker that completes the task once", async () => {
    loop = await startLoop({ files: FILES, roles: { app: true, worker: false } });
    // A worker in its own process, so it can be SIGKILLed.
    child = spawn(process.execPath, ["--import", "tsx", "test/helpers/worker-process.ts"], {
      env: { PATH: process.env.PATH, FLOTILLA_TEST_SETTINGS: JSON.stringify(loop.settings) },
      stdio: ["ignore", "inherit", "inherit"],
    });
    const issue = await loop.openIssue(
      "add notes",
      scriptedIssue("sleep 2000\nwrite notes.txt <<EOF\nwritten once\nEOF"),
    );
    await loop.label(issue, "agent:scripted");
    const statusComments = async () =>
      (await (loop as Loop).comments(issue)).filter((c) => c.body.includes("flotilla:status"));
    await waitFor(
      "the child worker to start the agent",
      async () => (await statusComments())[0]?.body.includes("**Running.**"),
      60_000,
    );
    const exited = new Promise((resolve) => child?.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;

    // A new worker finds the job stalled once its lock lapses, and runs the task again from its record.
    await loop.restart({ app: false, worker: true });
    const pr = await waitFor(
      "the pull request",
      async () => (await (loop as Loop).pulls()).find((p) => p.head === `flotilla/${issue}-scripted`),
      60_000,
    );
    await waitFor("the status comment to link the pull request", async () =>
      (await statusComments())[0]?.body.includes(`#${pr.number}`),
    );
    await loop.drainUpdates();
    expect(await statusComments()).toHaveLength(1);
    expect(await loop.pulls()).toHaveLength(1);
    const task = await loop.redisTask(issue);
    expect(task?.state).toBe("checking");
    expect(task?.attempt).toBe(1);
    // One commit on the branch, straight on the default branch's head.
    const gh = loop.world.installationOctokit();
    const { data: commits } = await gh.rest.repos.compareCommitsWithBasehead({
      owner: "acme",
      repo: "widgets",
      basehead: `main...flotilla/${issue}-scripted`,
    });
    expect(commits.commits).toHaveLength(1);
    expect(commits.files?.map((f) => f.filename)).toEqual(["notes.txt"]);
  }, 90_000);
});

describe("a worker shut down mid-task", () => {
  it("stops its agent instead of waiting it out, and the next worker completes the task once", async () => {
    loop = await startLoop({ files: FILES });
    const issue = await loop.openIssue(
      "add notes",
      scriptedIssue("sleep 12000\nwrite notes.txt <<EOF\nas labelled\nEOF"),
    );
    await loop.label(issue, "agent:scripted");
    const statusComments = async () =>
      (await (loop as Loop).comments(issue)).filter((c) => c.body.includes("flotilla:status"));
    await waitFor("the agent to start", async () =>
      (await statusComments())[0]?.body.includes("**Running.**"),
    );

    // Shutting down returns well before the agent's sleep is up.
    const stopping = Date.now();
    await loop.flotilla.stop();
    expect(Date.now() - stopping).toBeLessThan(8_000);
    // The issue is edited meanwhile; the next run still works on the text as it was when it was labelled.
    await loop.world.installationOctokit().rest.issues.update({
      owner: "acme",
      repo: "widgets",
      issue_number: issue,
      body: scriptedIssue("write notes.txt <<EOF\nfast\nEOF"),
    });
    await loop.restart();
    const pr = await waitFor(
      "the pull request",
      async () => (await (loop as Loop).pulls()).find((p) => p.head === `flotilla/${issue}-scripted`),
      45_000,
    );
    await waitFor("the status comment to link it", async () =>
      (await statusComments())[0]?.body.includes(`#${pr.number}`),
    );
    expect(await statusComments()).toHaveLength(1);
    expect(
      await loop.world.sandbox.script.readFile({ repo: "acme/widgets", ref: pr.head, path: "notes.txt" }),
    ).toBe("as labelled\n");
  }, 90_000);
});
