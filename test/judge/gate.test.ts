import { describe, expect, it } from "@jest/globals";
import type { CiCheck, CiReport } from "../../src/judge/ci-report.js";
import { decideGate, judgeConclusion } from "../../src/judge/gate.js";
import type { Verdict } from "../../src/judge/verdict.js";

const check = (name: string, state: CiCheck["state"]): CiCheck => ({ name, kind: "check", state });
const green: CiReport = { checks: [check("lint", "passed"), check("test", "passed")] };
const verdict = (decision: Verdict["decision"], extra: Partial<Verdict> = {}): Verdict => ({
  decision,
  summary: "Adds the French greeting.",
  criteria: [],
  findings: [],
  ...extra,
});

describe("decideGate", () => {
  it("passes only when all CI passed and the judge approved", () => {
    const gate = decideGate({ ci: green, verdict: verdict("approve") });

    expect(gate.conclusion).toBe("success");
    expect(gate.title).toBe("CI passed and the judge approved");
    expect(gate.summary).toContain("All 2 CI checks passed.");
  });

  it("passes on the judge's approval alone when the repository has no CI, and says there was none", () => {
    const gate = decideGate({ ci: { checks: [] }, verdict: verdict("approve") });

    expect(gate.conclusion).toBe("success");
    expect(gate.summary).toContain("No CI check reported on this commit.");
  });

  it("fails while CI fails, even when the judge approved, naming the failed checks", () => {
    const ci = { checks: [check("lint", "failed"), check("build", "passed"), check("test", "failed")] };

    const gate = decideGate({ ci, verdict: verdict("approve") });

    expect(gate).toEqual(expect.objectContaining({ conclusion: "failure", title: "CI failed: lint, test" }));
    expect(gate.summary).toContain("- CI failed: `lint`, `test`.");
  });

  it("fails while CI is pending, naming what it waits for", () => {
    const gate = decideGate({ ci: { checks: [check("build", "pending")] }, verdict: verdict("approve") });

    expect(gate.conclusion).toBe("failure");
    expect(gate.title).toBe("CI still pending: build");
  });

  it("says what the judge is missing: changes asked, no decision, no verdict yet, or why there is none", () => {
    const title = (input: Omit<Parameters<typeof decideGate>[0], "ci">) =>
      decideGate({ ci: green, ...input }).title;

    expect(title({ verdict: verdict("request_changes") })).toBe("The judge requested changes");
    expect(title({ verdict: verdict("inconclusive") })).toBe("The judge could not decide");
    expect(title({})).toBe("The judge has not given a verdict yet");
    expect(title({ judgeProblem: "timed out after 20 min" })).toBe(
      "The judge gave no verdict: timed out after 20 min",
    );
  });

  it("fails on a judge problem even beside an approval", () => {
    expect(decideGate({ ci: green, verdict: verdict("approve"), judgeProblem: "crashed" }).conclusion).toBe(
      "failure",
    );
  });

  it("names everything missing at once, and keeps the title short when many checks fail", () => {
    const ci = {
      checks: [
        ...Array.from({ length: 8 }, (_, i) => check(`job-${i}`, "failed")),
        check("deploy", "pending"),
      ],
    };

    const gate = decideGate({ ci, verdict: verdict("request_changes") });

    expect(gate.title).toBe(
      "CI failed: job-0, job-1, job-2, job-3, job-4 and 3 more; CI still pending: deploy; The judge requested changes",
    );
    expect(gate.summary.split("\n").filter((line) => line.startsWith("- "))).toHaveLength(3);
    expect(gate.summary).toContain("`job-7`");
  });

  it("shows a problem's text as plain Markdown, unable to mention anyone", () => {
    const gate = decideGate({ ci: green, judgeProblem: "agent said @octocat <b>hi</b>" });

    expect(gate.summary).toContain("@\u200boctocat \\<b\\>hi\\</b\\>");
    expect(gate.summary.length).toBeLessThan(65_535);
  });
});

describe("judgeConclusion", () => {
  it("succeeds only for an approval, counting criteria and findings in the title", () => {
    const approved = judgeConclusion(
      verdict("approve", {
        criteria: [
          { criterion: "a", met: true, evidence: "" },
          { criterion: "b", met: true, evidence: "" },
        ],
        findings: [{ severity: "nit", message: "typo" }],
      }),
    );

    expect(approved.conclusion).toBe("success");
    expect(approved.title).toBe("The judge approved (2 of 2 acceptance criteria met; 1 finding, 0 blocking)");
    expect(approved.summary).toBe("Adds the French greeting\\.");
  });

  it("fails for changes requested or no decision", () => {
    const changes = judgeConclusion(
      verdict("request_changes", {
        findings: [
          { severity: "blocker", message: "x" },
          { severity: "minor", message: "y" },
        ],
      }),
    );

    expect(changes).toEqual(
      expect.objectContaining({
        conclusion: "failure",
        title: "The judge requested changes (2 findings, 1 blocking)",
      }),
    );
    expect(judgeConclusion(verdict("inconclusive")).conclusion).toBe("failure");
  });

  it("fails, never neutral or skipped, when the judge erred, timed out or gave no valid verdict", () => {
    for (const outcome of [
      judgeConclusion(undefined, "timed out after 20 min"),
      judgeConclusion(),
      judgeConclusion(verdict("approve"), "exit 1"),
    ]) {
      expect(outcome.conclusion).toBe("failure");
    }
    const timedOut = judgeConclusion(undefined, "timed out after 20 min");
    expect(timedOut.title).toBe("The judge gave no verdict: timed out after 20 min");
    expect(timedOut.summary).toContain("not approved");
  });

  it("keeps a long problem on one short title line, and the summary under GitHub's limit", () => {
    const outcome = judgeConclusion(undefined, `line one\nline two ${"x".repeat(100_000)}`);

    expect(outcome.title).not.toContain("\n");
    expect(outcome.title.length).toBeLessThanOrEqual(250);
    expect(outcome.summary.length).toBeLessThan(65_535);
  });
});
