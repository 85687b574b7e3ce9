import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "@jest/globals";

describe("the demo (npm run demo -- --once)", () => {
  it("walks from a labelled issue to a pull request with CI's verdict, and exits cleanly", async () => {
    const { stdout } = await promisify(execFile)(
      "npx",
      ["--no-install", "tsx", "scripts/demo.ts", "--once"],
      {
        cwd: new URL("..", import.meta.url).pathname,
        timeout: 60_000,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
      },
    );
    expect(stdout).toContain('#1 "Greet in French too" labels: agent:claude');
    expect(stdout).toContain("alice's role: maintain (permission write)");
    expect(stdout).toMatch(
      /git clone http:\/\/127\.0\.0\.1:\d+\/octo-org\/hello-flotilla\.git → .*greet\.js/,
    );
    expect(stdout).toContain("by flotilla-demo[bot]; PR #2");
    expect(stdout).toContain('check "test" by GitHub Actions: completed / success');
    expect(stdout).toContain("pull_request.opened from flotilla-demo[bot]");
    // No token may reach the output.
    expect(stdout).not.toMatch(/ghs_[0-9a-f]+/);
  });
});
