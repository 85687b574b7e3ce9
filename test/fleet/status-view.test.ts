import { describe, expect, it } from "@jest/globals";
import { statusView } from "../../src/fleet/status-view.js";
import type { Task } from "../../src/fleet/task.js";
import { draft } from "./drafts.js";

/** A record of issue 12's `claude` task, ended as `patch` says. */
function task(patch: Partial<Task>): Task {
  const base = draft(12, "claude");
  return {
    ...base,
    settings: { ...base.settings, agent: { ...base.settings.agent, timeout: 600_000, maxTurns: 40 } },
    state: "timed-out",
    attempt: 1,
    version: 1,
    createdAt: "2026-12-02T10:00:00Z",
    updatedAt: "2026-12-02T10:10:00Z",
    ...patch,
  };
}

const TREE = "http://x/acme/widgets/tree/flotilla/12-claude";

describe("the status of an agent stopped at a limit", () => {
  it("shows partial work kept on the branch with the limit's bound from the agent's settings", () => {
    const view = statusView(
      task({
        commitSha: "a".repeat(40),
        partial: {
          limit: "time",
          message: "The agent was stopped after its 10-minute timeout.",
          branchUrl: TREE,
        },
        error: { kind: "agent", message: "…" },
        outputTail: "step 3 of 5\n",
      }),
    );
    expect(view).toEqual({
      state: "partial",
      agent: "claude",
      limit: { limit: "time", bound: "10 min" },
      branch: "flotilla/12-claude",
      branchUrl: TREE,
      outputTail: "step 3 of 5\n",
    });
  });

  it("names the turn limit the agent was configured with, on a failed task", () => {
    const view = statusView(
      task({
        state: "failed",
        commitSha: "a".repeat(40),
        partial: { limit: "turns", message: "The agent used its 40 turns." },
        error: { kind: "agent", message: "…" },
      }),
    );
    expect(view).toMatchObject({ state: "partial", limit: { limit: "turns", bound: "40 turns" } });
  });

  it("shows a failure, not kept work, when committing the partial work failed", () => {
    const view = statusView(
      task({
        state: "failed",
        partial: { limit: "time", message: "The agent was stopped after its 10-minute timeout." },
        error: {
          kind: "internal",
          message: "the branch flotilla/12-claude has commits Flotilla did not make",
        },
      }),
    );
    expect(view).toMatchObject({
      state: "failed",
      reason: expect.stringContaining("commits Flotilla did not make"),
    });
  });

  it("shows a draft pull request of partial work as opened, with the limit", () => {
    const pr = { number: 34, url: "http://x/acme/widgets/pull/34", draft: true };
    const view = statusView(
      task({
        state: "checking",
        commitSha: "a".repeat(40),
        partial: { limit: "time", message: "The agent was stopped after its 10-minute timeout." },
        pr,
        durationMs: 600_000,
      }),
    );
    expect(view).toEqual({
      state: "pr-opened",
      agent: "claude",
      pr,
      durationMs: 600_000,
      partial: { limit: "time", bound: "10 min" },
    });
  });
});
