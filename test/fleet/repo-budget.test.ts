import { beforeEach, describe, expect, it } from "@jest/globals";
import type { Fleet } from "../../src/fleet/fleet.js";
import { budgetReached, monthUsage, overBudget, recordUsage } from "../../src/fleet/repo-budget.js";
import type { Task } from "../../src/fleet/task.js";
import { draft } from "./drafts.js";
import { useFleet } from "./use-fleet.js";

const harness = useFleet("budget");
let fleet: Fleet;
beforeEach(() => {
  fleet = harness.fleet();
});

async function task(issue: number, budget?: Task["settings"]["budget"]): Promise<Task> {
  const d = draft(issue);
  await fleet.scheduler.enqueue({ ...d, settings: { ...d.settings, ...(budget ? { budget } : {}) } }, 5);
  return (await fleet.store.get(d.id)) as Task;
}

describe("the repository's monthly usage", () => {
  it("adds each run once, however often it is reported, into the month it ended in", async () => {
    const one = await task(1);
    const two = await task(2);
    expect(await recordUsage(fleet, one, "a1", { usd: 0.25, seconds: 60 }, "2026-06-30T23:59:00Z")).toBe(
      true,
    );
    expect(await recordUsage(fleet, one, "a1", { usd: 0.25, seconds: 60 }, "2026-06-30T23:59:00Z")).toBe(
      false,
    );
    await recordUsage(fleet, one, "j77", { usd: 0.5, seconds: 30 }, "2026-06-30T23:59:30Z");
    await recordUsage(fleet, two, "a1", { usd: 1 }, "2026-07-01T00:00:01Z");

    expect(await monthUsage(fleet, 7, "2026-06")).toEqual({ usd: 0.75, seconds: 90, runs: 2 });
    expect(await monthUsage(fleet, 7, "2026-07")).toEqual({ usd: 1, seconds: 0, runs: 1 });
    expect(await monthUsage(fleet, 8, "2026-06")).toEqual({ usd: 0, seconds: 0, runs: 0 });
  });

  it("says which budget is spent, in words for the issue, and nothing within budget or without one", async () => {
    const june = { usd: 48.1, seconds: 3600 * 20.04, runs: 9 };
    expect(budgetReached({ monthlyUsd: 50 }, june, "2026-06")).toBeUndefined();
    expect(budgetReached({ monthlyUsd: 48.1 }, june, "2026-06")).toBe(
      "budget for June reached: 48.10 of 48.1 USD",
    );
    expect(budgetReached({ monthlyUsd: 50, monthlyAgentHours: 20 }, june, "2026-06")).toBe(
      "agent-hours budget for June reached: 20.0 of 20 hours",
    );
    expect(budgetReached({}, june, "2026-06")).toBeUndefined();
    expect(budgetReached(undefined, june, "2026-06")).toBeUndefined();
  });

  it("holds a task of a repository at its budget this month, and not one without a budget", async () => {
    const now = new Date("2026-06-15T12:00:00Z");
    const spent = await task(1);
    await recordUsage(fleet, spent, "a1", { usd: 2 }, now);

    expect(await overBudget(fleet, await task(2, { monthlyUsd: 2 }), now)).toBe(
      "budget for June reached: 2.00 of 2 USD",
    );
    expect(await overBudget(fleet, await task(3, { monthlyUsd: 2 }), new Date("2026-07-01T00:00:00Z"))).toBe(
      undefined,
    );
    expect(await overBudget(fleet, await task(4), now)).toBeUndefined();
  });
});
