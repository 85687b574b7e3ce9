import { beforeEach, describe, expect, it } from "@jest/globals";
import { queuePositions, readTasks, visibleRows } from "../../src/dashboard/fleet-rows.js";
import type { RepoAccess } from "../../src/dashboard/user-access.js";
import type { Fleet } from "../../src/fleet/fleet.js";
import { addFeedback } from "../../src/fleet/pending-feedback.js";
import { taskIdFor } from "../../src/fleet/task.js";
import { draft } from "../fleet/drafts.js";
import { useFleet } from "../fleet/use-fleet.js";

// What the fleet dashboard shows a person: the tasks of the repositories they can access, as they are now.

const harness = useFleet("rows");
let fleet: Fleet;
beforeEach(() => {
  fleet = harness.fleet();
});

const WEB = "https://github.com";
const widgets: RepoAccess = { id: 7, fullName: "acme/widgets", write: true };
const secret: RepoAccess = { id: 8, fullName: "acme/secret", write: false };
const onlyWidgets = new Map([[7, widgets]]);

async function rows(access: Map<number, RepoAccess>, filter = {}) {
  const tasks = await readTasks(fleet);
  return visibleRows(tasks, access, await queuePositions(fleet, tasks), WEB, filter);
}

describe("the fleet's rows", () => {
  it("show only the repositories the person can access, whatever else Redis holds for a task", async () => {
    await fleet.scheduler.enqueue(draft(1), 1);
    await fleet.scheduler.enqueue(
      { ...draft(2, "scripted", 8), repo: { ...draft(2).repo, id: 8, name: "secret" } },
      1,
    );
    // Keys under a task (feedback, timeline) are not tasks.
    await addFeedback(fleet, taskIdFor(7, 1, "scripted"), {
      id: "comment-1",
      author: "alice",
      text: "more",
      at: "2026-12-01T00:00:00Z",
    });
    const seen = await rows(onlyWidgets);
    expect(seen.map((r) => [r.repo, r.issue])).toEqual([["acme/widgets", 1]]);
    expect(seen[0]).toMatchObject({
      agent: "scripted",
      state: "dispatched",
      issueUrl: "https://github.com/acme/widgets/issues/1",
      mayAct: true,
      canStop: true,
      canRetry: false,
    });
    expect(await rows(new Map())).toEqual([]);
    const both = await rows(
      new Map([
        [7, widgets],
        [8, secret],
      ]),
    );
    expect(both.map((r) => r.repo).sort()).toEqual(["acme/secret", "acme/widgets"]);
    // Read access: seen, but no buttons.
    expect(both.find((r) => r.repo === "acme/secret")).toMatchObject({ mayAct: false, canStop: false });
  });

  it("give queued tasks their place in line as it is now, and work in progress first", async () => {
    for (const issue of [1, 2, 3, 4]) await fleet.scheduler.enqueue(draft(issue), 1);
    // 1 runs; 2, 3, 4 wait. Stopping 2 moves 3 and 4 up.
    await fleet.store.update(taskIdFor(7, 1, "scripted"), {
      state: "running",
      startedAt: new Date().toISOString(),
    });
    await fleet.store.update(taskIdFor(7, 2, "scripted"), { state: "cancelled" });
    const seen = await rows(onlyWidgets);
    expect(seen.map((r) => [r.issue, r.state, r.position])).toEqual([
      [1, "running", undefined],
      [3, "queued", 1],
      [4, "queued", 2],
      [2, "cancelled", undefined],
    ]);
    expect(seen[0]?.elapsed?.since).toBe("started");
    expect(seen[1]?.elapsed?.since).toBe("queued");
    expect(seen[3]).toMatchObject({ canRetry: true, canStop: false });
  });

  it("filter by repository, state and agent", async () => {
    await fleet.scheduler.enqueue(draft(1, "claude"), 2);
    await fleet.scheduler.enqueue(draft(1, "codex"), 2);
    await fleet.store.update(taskIdFor(7, 1, "codex"), {
      state: "ready",
      pr: { number: 9, url: "https://github.com/acme/widgets/pull/9" },
      usage: { costUsd: 0.42 },
      review: {
        sha: "abc",
        pr: 9,
        stage: "done",
        judgeCheckId: 1,
        gateCheckId: 2,
        ciDeadline: "2026-12-01T00:00:00Z",
        decision: "approve",
        gate: "success",
        gateTitle: "CI passed and the judge approved",
      },
    });
    expect((await rows(onlyWidgets, { agent: "codex" })).map((r) => r.agent)).toEqual(["codex"]);
    expect(await rows(onlyWidgets, { state: "ready" })).toEqual([
      expect.objectContaining({
        agent: "codex",
        costUsd: 0.42,
        pr: { number: 9, url: "https://github.com/acme/widgets/pull/9" },
        checks: { stage: "passed", detail: "CI passed and the judge approved" },
        judge: "approve",
      }),
    ]);
    expect(await rows(onlyWidgets, { repo: "acme/other" })).toEqual([]);
  });

  it("show a stop under way as stopping, with nothing more to stop", async () => {
    await fleet.scheduler.enqueue(draft(1), 1);
    await fleet.store.update(taskIdFor(7, 1, "scripted"), {
      state: "running",
      cancel: { at: "2026-12-01T00:00:00Z", reason: "@alice" },
    });
    expect((await rows(onlyWidgets))[0]).toMatchObject({ state: "stopping", canStop: false });
  });
});
