import { describe, expect, it } from "@jest/globals";
import { type RankedCandidate, rankCandidates, winnerOf } from "../../src/fleet/race/rank-candidates.js";

// The race's ranking: CI first, then the judge, then findings, then cost and time; a candidate that made no
// commit never wins.

const done = (taskId: string, result: RankedCandidate["result"], extra: Partial<RankedCandidate> = {}) => ({
  taskId,
  committed: true,
  ...(result ? { result } : {}),
  ...extra,
});
const order = (candidates: RankedCandidate[]) => rankCandidates(candidates).map((c) => c.taskId);

describe("ranking a race's candidates", () => {
  it("puts green CI before pending or none before red, whatever the judge said", () => {
    expect(
      order([
        done("red", { ci: "failed", decision: "approve", findings: 0 }),
        done("none", { ci: "none", decision: "request_changes", findings: 3 }),
        done("green", { ci: "passed", decision: "request_changes", findings: 3 }),
      ]),
    ).toEqual(["green", "none", "red"]);
  });

  it("with the same CI, ranks approval over inconclusive over changes requested or no verdict", () => {
    expect(
      order([
        done("none", { ci: "passed", problem: "the judge failed" }),
        done("changes", { ci: "passed", decision: "request_changes", findings: 1 }),
        done("unsure", { ci: "passed", decision: "inconclusive", findings: 1 }),
        done("approved", { ci: "passed", decision: "approve", findings: 1 }),
      ]),
    ).toEqual(["approved", "unsure", "changes", "none"]);
  });

  it("then prefers fewer findings, then the cheaper, then the faster, then the order asked", () => {
    const approved = { ci: "passed" as const, decision: "approve" as const, findings: 1 };
    expect(
      order([
        done("slow", approved, { costUsd: 1, durationMs: 9_000 }),
        done("dear", approved, { costUsd: 2, durationMs: 1_000 }),
        done("fast", approved, { costUsd: 1, durationMs: 1_000 }),
        done("tidy", { ...approved, findings: 0 }, { costUsd: 5, durationMs: 99_000 }),
        done("twin", approved, { costUsd: 1, durationMs: 1_000 }),
      ]),
    ).toEqual(["tidy", "fast", "twin", "slow", "dear"]);
  });

  it("puts candidates that failed, timed out or changed nothing last, and never makes one the winner", () => {
    const ranked = rankCandidates([
      { taskId: "failed", committed: false },
      done("red", { ci: "failed", decision: "request_changes", findings: 9 }),
      { taskId: "empty", committed: false },
    ]);
    expect(ranked.map((c) => c.taskId)).toEqual(["red", "failed", "empty"]);
    expect(winnerOf(ranked)?.taskId).toBe("red");
    expect(winnerOf(rankCandidates([{ taskId: "failed", committed: false }]))).toBeUndefined();
  });
});
