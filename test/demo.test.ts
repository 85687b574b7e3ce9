import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "@jest/globals";

interface Report {
  ok: boolean;
  issue: number;
  pullRequest: { number: number; branch: string } | null;
  status: string;
  timeline: { ms: number; step: string }[];
  checks: { name: string; conclusion: string | null }[];
  review: string;
  diff: string;
}

describe("the demo (npm run demo -- --json)", () => {
  it("turns a labelled issue into a pull request with the fix, checked by CI and the judge, and exits 0", async () => {
    const { stdout, stderr } = await promisify(execFile)(
      "npx",
      ["--no-install", "tsx", "scripts/demo.ts", "--json"],
      {
        cwd: new URL("..", import.meta.url).pathname,
        timeout: 60_000,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
      },
    );
    const report = JSON.parse(stdout) as Report;
    expect(report.ok).toBe(true);
    expect(report.pullRequest?.branch).toBe(`flotilla/${report.issue}-scripted`);
    expect(report.diff).toContain('-  return "Helo, " + who + "!";');
    expect(report.diff).toContain('+  return "Hello, " + who + "!";');
    expect(report.checks).toEqual([
      { name: "Flotilla", conclusion: "success" },
      { name: "Flotilla judge", conclusion: "success" },
      { name: "test", conclusion: "success" },
    ]);
    expect(report.status).toContain(`Pull request opened: [#${report.pullRequest?.number}]`);
    expect(report.status).toContain("Gate passed");
    expect(report.review).toContain("Approved");
    // The steps in the order they happened, from the label to CI's verdict.
    const steps = report.timeline.map((s) => s.step);
    const order = [
      /^label agent:scripted added by alice; webhook answered 200/,
      /Running/,
      /opened by/,
      // (the checks' own times are GitHub's, to the second, so only the status comment's is ordered here)
      /Gate passed/,
    ];
    const positions = order.map((pattern) => steps.findIndex((step) => pattern.test(step)));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // No token may reach the output.
    expect(stdout + stderr).not.toMatch(/ghs_[0-9a-zA-Z]+/);
  }, 90_000);

  it("does the same on the actions backend: the agent workflow is dispatched and run, its artifact published, and judged on a runner", async () => {
    const { stdout, stderr } = await promisify(execFile)(
      "npx",
      ["--no-install", "tsx", "scripts/demo.ts", "--json", "--backend", "actions"],
      {
        cwd: new URL("..", import.meta.url).pathname,
        timeout: 60_000,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
      },
    );
    const report = JSON.parse(stdout) as Report;
    expect(report.ok).toBe(true);
    expect(report.diff).toContain('+  return "Hello, " + who + "!";');
    expect(report.checks).toEqual([
      { name: "Flotilla", conclusion: "success" },
      { name: "Flotilla judge", conclusion: "success" },
      { name: "test", conclusion: "success" },
    ]);
    expect(report.status).toContain("Gate passed");
    const steps = report.timeline.map((s) => s.step);
    const order = [
      /^label agent:scripted/,
      /Actions run \d+ .* dispatched$/,
      /running$/,
      /completed$/,
      /opened by/,
    ];
    const positions = order.map((pattern) => steps.findIndex((step) => pattern.test(step)));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(stdout + stderr).not.toMatch(/ghs_[0-9a-zA-Z]+/);
  }, 90_000);
});
