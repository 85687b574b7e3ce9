import { describe, expect, it } from "@jest/globals";
import { branchUrlFrom, keptOnBranchMessage, keptPartial } from "../../src/fleet/partial-work.js";
import type { Task } from "../../src/fleet/task.js";
import type { Outcome } from "../../src/runner/adapters/adapter.js";
import { draft } from "./drafts.js";

function task(partialWork?: "branch" | "draft-pr" | "discard", patch: Partial<Task> = {}): Task {
  const base = draft(12, "claude");
  return {
    ...base,
    settings: {
      ...base.settings,
      limits: { ...base.settings.limits, ...(partialWork ? { partialWork } : {}) },
    },
    state: "running",
    attempt: 1,
    version: 1,
    createdAt: "2026-12-02T10:00:00Z",
    updatedAt: "2026-12-02T10:00:00Z",
    ...patch,
  };
}

const STOPPED = "The agent was stopped after its 10-minute timeout.";
const TIMEOUT: Outcome = { kind: "limit", limit: "time", message: STOPPED };

describe("which runs keep their partial work", () => {
  it("keeps the changes of a run stopped at a limit, by default and with draft-pr", () => {
    const kept = { limit: "time", message: STOPPED };
    expect(keptPartial(task(), TIMEOUT, 2)).toEqual(kept);
    expect(keptPartial(task("draft-pr"), TIMEOUT, 2)).toEqual(kept);
  });

  it("keeps nothing with discard, without changes, or when the run ended any other way", () => {
    expect(keptPartial(task("discard"), TIMEOUT, 2)).toBeUndefined();
    expect(keptPartial(task(), TIMEOUT, 0)).toBeUndefined();
    expect(keptPartial(task(), { kind: "agent-error", message: "exited with code 1" }, 2)).toBeUndefined();
    expect(keptPartial(task(), { kind: "cancelled", message: "cancelled" }, 2)).toBeUndefined();
  });

  it("keeps nothing of an iteration, whose commit would land half done on the pull request under review", () => {
    const iterating = task("branch", {
      iteration: { headSha: "b".repeat(40), feedback: [], automatic: true },
    });
    expect(keptPartial(iterating, TIMEOUT, 2)).toBeUndefined();
  });
});

describe("where the partial work is", () => {
  it("links the branch from a commit's page, and nothing from a URL of another shape", () => {
    expect(
      branchUrlFrom(`https://github.com/acme/widgets/commit/${"c".repeat(40)}`, "flotilla/12-claude"),
    ).toBe("https://github.com/acme/widgets/tree/flotilla/12-claude");
    expect(branchUrlFrom("https://github.com/acme/widgets/pull/3", "flotilla/12-claude")).toBeUndefined();
  });

  it("says which limit stopped the agent and names the branch, with its link when known", () => {
    const partial = { limit: "time" as const, message: "The agent was stopped after its 10-minute timeout." };
    expect(keptOnBranchMessage(partial, "flotilla/12-claude")).toBe(
      "The agent was stopped after its 10-minute timeout. Its partial work is on the branch flotilla/12-claude; no pull request was opened.",
    );
    expect(
      keptOnBranchMessage(
        { ...partial, branchUrl: "https://x/tree/flotilla/12-claude" },
        "flotilla/12-claude",
      ),
    ).toContain("on the branch flotilla/12-claude (https://x/tree/flotilla/12-claude);");
  });
});
