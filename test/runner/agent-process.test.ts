import { mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import {
  type AgentProcessResult,
  type AgentProcessSpec,
  runAgentProcess,
} from "../../src/runner/agent-process.js";

let dir: string;
const ENV = { PATH: process.env.PATH ?? "/usr/bin:/bin" };

function sh(script: string, options: Partial<AgentProcessSpec> = {}): Promise<AgentProcessResult> {
  return runAgentProcess({ argv: ["sh", "-c", script], cwd: dir, env: ENV, timeoutMs: 20_000, ...options });
}

/** Whether a process still runs (a zombie waiting for its reaper counts as ended). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\S+ \(.*\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

function pidFrom(file: string): number {
  return Number(readFileSync(join(dir, file), "utf8").trim());
}

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), "flotilla-agent-process-")));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("runAgentProcess", () => {
  it("reports the exit code and captures stdout and stderr interleaved", async () => {
    // Two pipes: writes to both within a moment may arrive in either order, so these are spaced.
    const result = await sh("echo one; sleep 0.2; echo two >&2; sleep 0.2; echo three; exit 3");

    expect(result).toMatchObject({
      exitCode: 3,
      signal: null,
      timedOut: false,
      cancelled: false,
      output: "one\ntwo\nthree\n",
      outputTruncated: false,
    });
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it("runs in the given directory with exactly the given environment", async () => {
    const result = await runAgentProcess({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, for sh to read
      argv: ["sh", "-c", 'pwd; echo "secret=${AGENT_KEY-unset} home=${HOME-unset}"'],
      cwd: dir,
      env: { ...ENV, AGENT_KEY: "k-123" },
      timeoutMs: 20_000,
    });

    expect(result.output).toBe(`${dir}\nsecret=k-123 home=unset\n`);
  });

  it("passes arguments as they are, without a shell", async () => {
    const result = await runAgentProcess({
      argv: ["printf", "%s|", "a b", "$HOME", "; rm -rf /", "`id`"],
      cwd: dir,
      env: ENV,
      timeoutMs: 20_000,
    });

    expect(result.output).toBe("a b|$HOME|; rm -rf /|`id`|");
  });

  it("gives the agent no stdin", async () => {
    const result = await runAgentProcess({ argv: ["cat"], cwd: dir, env: ENV, timeoutMs: 20_000 });

    expect(result).toMatchObject({ exitCode: 0, output: "", timedOut: false });
  });

  it("kills the whole process group on timeout, grandchildren included", async () => {
    const result = await sh("sleep 30 & echo $! > grandchild.pid; wait", {
      timeoutMs: 300,
      killGraceMs: 500,
    });

    expect(result).toMatchObject({ timedOut: true, cancelled: false, exitCode: null, signal: "SIGTERM" });
    expect(running(pidFrom("grandchild.pid"))).toBe(false);
  });

  it("follows SIGTERM with SIGKILL after the grace period for a process that ignores it", async () => {
    const result = await sh("trap '' TERM; echo ready; while :; do sleep 0.05; done", {
      timeoutMs: 300,
      killGraceMs: 300,
    });

    expect(result).toMatchObject({ timedOut: true, signal: "SIGKILL", output: "ready\n" });
  });

  it("ends what the agent left running in the background when it exits", async () => {
    const result = await sh("sleep 30 >/dev/null 2>&1 & echo $! > background.pid; echo done", {
      killGraceMs: 500,
    });

    expect(result).toMatchObject({ exitCode: 0, timedOut: false, output: "done\n" });
    expect(running(pidFrom("background.pid"))).toBe(false);
  });

  it("stops reading from a descendant that left the group and still holds the output open", async () => {
    const leaveGroup =
      "setsid sh -c 'echo $$ > escaped.pid.tmp; mv escaped.pid.tmp escaped.pid; exec sleep 30' &";
    const result = await sh(`${leaveGroup} while [ ! -s escaped.pid ]; do sleep 0.01; done; echo started`, {
      killGraceMs: 200,
    });
    try {
      expect(result).toMatchObject({ exitCode: 0, output: "started\n" });
      expect(running(pidFrom("escaped.pid"))).toBe(true);
    } finally {
      process.kill(pidFrom("escaped.pid"), "SIGKILL");
    }
  });

  it("stops the agent and reports it cancelled when the signal aborts", async () => {
    const controller = new AbortController();
    const run = sh("echo started; sleep 30 & wait", { signal: controller.signal, killGraceMs: 500 });
    setTimeout(() => controller.abort(), 200);

    const result = await run;

    expect(result).toMatchObject({ cancelled: true, timedOut: false, exitCode: null, output: "started\n" });
  });

  it("does not start at all when the signal has already aborted", async () => {
    const result = await sh("touch started", { signal: AbortSignal.abort() });

    expect(result).toMatchObject({ cancelled: true, exitCode: null, output: "" });
    expect(() => readFileSync(join(dir, "started"))).toThrow();
  });

  it("keeps only the tail of a long output and says it truncated", async () => {
    const result = await sh("seq 1 200000", { outputLimitBytes: 1000 });

    expect(result.outputTruncated).toBe(true);
    expect(result.output).toMatch(/^\[output truncated: the first \d+ bytes were dropped\]\n/);
    expect(result.output.endsWith("199999\n200000\n")).toBe(true);
    const kept = result.output.slice(result.output.indexOf("\n") + 1);
    expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(1000);
    // Whole lines only: the first kept line is a complete number, the one after the last dropped.
    const firstKept = Number(kept.split("\n")[0]);
    expect(kept).toBe(`${Array.from({ length: 200001 - firstKept }, (_, i) => firstKept + i).join("\n")}\n`);
  });

  it("reports a missing program as a result naming it", async () => {
    const result = await runAgentProcess({
      argv: ["no-such-agent-cli", "--help"],
      cwd: dir,
      env: ENV,
      timeoutMs: 20_000,
    });

    expect(result).toMatchObject({ exitCode: null, signal: null, timedOut: false, cancelled: false });
    expect(result.output).toContain('could not start "no-such-agent-cli"');
  });

  it("refuses an empty argument list", async () => {
    await expect(runAgentProcess({ argv: [], cwd: dir, env: ENV, timeoutMs: 1000 })).rejects.toThrow(/argv/);
  });
});
