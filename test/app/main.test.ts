import { spawnSync } from "node:child_process";
import { describe, expect, it } from "@jest/globals";

// The `flotilla` command as an operator meets it before anything runs: usage and settings errors.

function flotilla(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "src/main.ts", ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { code: result.status, stderr: result.stderr };
}

describe("flotilla", () => {
  it("prints its usage and exits 64 for an unknown command", () => {
    const { code, stderr } = flotilla(["serve"]);
    expect(code).toBe(64);
    expect(stderr).toContain("usage: flotilla [start|app|worker]");
  });

  it("lists every missing setting and exits 78 instead of starting a worker half-configured", () => {
    const { code, stderr } = flotilla(["worker"]);
    expect(code).toBe(78);
    expect(stderr).toContain("APP_ID must be the App's numeric id");
    expect(stderr).toContain("PRIVATE_KEY or PRIVATE_KEY_PATH");
    expect(stderr).toContain(
      "REDIS_URL is required when webhook servers and workers run as separate processes",
    );
    // A worker receives no webhooks, so it does not ask for their secret.
    expect(stderr).not.toContain("WEBHOOK_SECRET");
  });

  it("refuses to serve webhooks in production without credentials rather than open the setup flow", () => {
    const { code, stderr } = flotilla(["app"], { NODE_ENV: "production" });
    expect(code).toBe(78);
    expect(stderr).toContain("WEBHOOK_SECRET is required");
  });
});
