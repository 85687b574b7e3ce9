import { describe, expect, it } from "@jest/globals";
import { type CiReport, failedChecks, pendingChecks } from "../../src/judge/ci-report.js";

const report: CiReport = {
  checks: [
    { name: "lint", kind: "check", state: "passed", conclusion: "success" },
    { name: "test", kind: "check", state: "failed", conclusion: "timed_out", details: "killed after 6 h" },
    { name: "build", kind: "check", state: "pending" },
    { name: "ci/circleci", kind: "status", state: "failed", conclusion: "error" },
    { name: "deploy-preview", kind: "status", state: "pending", conclusion: "pending" },
  ],
};

describe("the CI report", () => {
  it("names the checks that have not finished, check runs and statuses alike, in order", () => {
    expect(pendingChecks(report).map((c) => c.name)).toEqual(["build", "deploy-preview"]);
  });

  it("names the checks that failed, whatever GitHub's word for it (timed_out, error)", () => {
    expect(failedChecks(report).map((c) => [c.name, c.conclusion])).toEqual([
      ["test", "timed_out"],
      ["ci/circleci", "error"],
    ]);
  });

  it("has nothing pending or failed when every check passed, or when there is no CI at all", () => {
    const green: CiReport = { checks: [{ name: "lint", kind: "check", state: "passed" }] };

    expect([pendingChecks(green), failedChecks(green)]).toEqual([[], []]);
    expect([pendingChecks({ checks: [] }), failedChecks({ checks: [] })]).toEqual([[], []]);
  });
});
