import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import type { AgentConfig } from "../../src/app/config/schema.js";
import type { AdapterName, AgentAdapter, ProgressEvent, Usage } from "../../src/runner/adapters/adapter.js";
import { adapterFor } from "../../src/runner/adapters/index.js";
import { runSession, type SessionResult } from "../../src/runner/run-session.js";
import { type Workspace, Workspaces } from "../../src/runner/workspace.js";
import { createRepo } from "./fixtures.js";

/**
 * The behaviour every adapter owes, checked the same way for each: the adapter's real argv and environment
 * start a fake CLI (test/runner/fake-cli/fake-cli.mjs) installed under the CLI's name, which prints what the
 * real CLI prints in that situation. Each adapter's test file gives the transcripts; this file runs them.
 */

export const FAKE_CLI = new URL("./fake-cli/fake-cli.mjs", import.meta.url).pathname;

/** What the fake CLI acts out; see fake-cli.mjs. */
export interface Scenario {
  stdout?: string[];
  stderr?: string[];
  write?: Record<string, string>;
  exit?: number;
  sleepMs?: number;
  flood?: number;
  /** A file to record argv, env, cwd and stdin in. */
  record?: string;
  /** A file for the pid of a grandchild left running. */
  child?: string;
}

export interface Transcripts {
  /** Prints what the CLI prints after a successful run that wrote a file. */
  success: { stdout: string[]; summary: string; usage: Usage };
  /** The CLI's output when the model API failed: the agent error it reports. */
  agentError: { stdout: string[]; stderr?: string[]; exit: number; message: RegExp };
  /** Extra settings for the agent under test (model, limits). */
  agent?: Partial<AgentConfig>;
}

export interface Harness {
  tmp: string;
  workspace: Workspace;
  /** Runs the adapter's CLI (the fake) on an issue whose body holds `scenario`. */
  run(
    scenario: Scenario,
    agent?: Partial<AgentConfig>,
    env?: Record<string, string>,
    /** More of the issue's body, before the scenario. */
    body?: string,
  ): Promise<SessionResult>;
}

/** What an adapter's reader makes of `lines` of stdout: every event it shows (held-back ones too), and its report. */
export function readOutput(adapter: AgentAdapter, lines: string[]) {
  const reader = adapter.reader();
  const events: ProgressEvent[] = [
    ...lines.flatMap((l) => reader.line(l) ?? []),
    ...(reader.flush?.() ?? []),
  ];
  return { events, report: reader.finish() };
}

/** The issue body that makes the fake CLI act out `scenario`. */
export function scenarioBody(scenario: Scenario): string {
  return `Please fix the bug.\n\n\`\`\`fake-cli\n${JSON.stringify(scenario)}\n\`\`\`\n`;
}

/** A temp repository, a worktree, and the fake installed under the adapter's program name. */
export function useHarness(adapter: AdapterName, secrets: Record<string, string> = {}): Harness {
  const harness = {} as Harness;
  let workspaces: Workspaces;
  beforeEach(async () => {
    harness.tmp = mkdtempSync(join(tmpdir(), `flotilla-adapter-${adapter}-`));
    const bin = join(harness.tmp, "bin");
    mkdirSync(bin);
    mkdirSync(join(harness.tmp, "tmp"));
    const program = adapterFor(adapter).install?.bin ?? "fake-agent";
    symlinkSync(FAKE_CLI, join(bin, program));
    createRepo(join(harness.tmp, "upstream"), { "README.md": "# widgets\n" });
    workspaces = new Workspaces({ root: join(harness.tmp, "root") });
    harness.workspace = await workspaces.open(
      { key: "1", url: `file://${join(harness.tmp, "upstream")}` },
      { baseBranch: "main", branch: "flotilla/7-x", name: "t7" },
    );
    harness.run = (scenario, agent = {}, env = {}, body = "") =>
      runSession({
        workspace: harness.workspace.dir,
        baseSha: harness.workspace.baseSha,
        agentName: adapter,
        agent: {
          adapter,
          timeout: 30_000,
          maxOutput: 32 * 1024 * 1024,
          ...(adapter === "command" ? { command: [program, "{prompt_file}"] } : {}),
          ...agent,
        } as AgentConfig,
        repo: "acme/widgets",
        request: { issue: { number: 7, title: "Fix the bug", body: `${body}${scenarioBody(scenario)}` } },
        env: { PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`, ...secrets, ...env },
        tmpRoot: join(harness.tmp, "tmp"),
        killGraceMs: 500,
      });
  });
  afterEach(async () => {
    await harness.workspace?.close();
    rmSync(harness.tmp, { recursive: true, force: true });
  });
  return harness;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z");
  } catch {
    return false;
  }
}

/** The four runs every adapter must get right: success, agent error, timeout, output too large. */
export function describeAdapterContract(
  adapter: AdapterName,
  transcripts: Transcripts,
  secrets: Record<string, string> = {},
): void {
  describe(`the ${adapter} adapter's contract`, () => {
    const h = useHarness(adapter, secrets);

    it("turns a successful run into a changeset, the agent's summary and its usage", async () => {
      const result = await h.run(
        { write: { "fix.txt": "fixed\n" }, stdout: transcripts.success.stdout },
        transcripts.agent,
      );

      expect(result.outcome).toEqual({ kind: "success" });
      expect(result.changeset.files.map((f) => f.path)).toEqual(["fix.txt"]);
      expect(result.summary).toBe(transcripts.success.summary);
      expect(result.usage).toEqual(transcripts.success.usage);
    });

    it("reports the agent's own error", async () => {
      const { stdout, stderr = [], exit, message } = transcripts.agentError;
      const result = await h.run({ stdout, stderr, exit }, transcripts.agent);

      expect(result.outcome.kind).toBe("agent-error");
      expect(result.outcome.kind === "agent-error" && result.outcome.message).toMatch(message);
    });

    it("survives output it did not expect, which the agent can forge, and still ends with an outcome", async () => {
      const forged = [
        "null",
        "[]",
        "42",
        '{"type":"assistant","message":{"id":"m","content":[null,1,"x",{"type":"tool_use","input":null}]}}',
        '{"type":"result","usage":null,"modelUsage":{"m":null},"subtype":7}',
        '{"type":"item.completed","item":null}',
        '{"type":"message","role":"assistant","content":{},"delta":true}',
        '{"type":"step_finish","part":null}',
        '{"type":"text","part":{"text":null}}',
        '{"type":"error","error":null,"message":[]}',
        "Tokens: lots sent, none received. Cost: $NaN message, $-1 session.",
      ];
      const result = await h.run({ stdout: forged, write: { "fix.txt": "fixed\n" } }, transcripts.agent);

      expect(["success", "agent-error"]).toContain(result.outcome.kind);
      expect(result.changeset.files.map((f) => f.path)).toEqual(["fix.txt"]);
    });

    it("stops a run at its timeout with its whole process group, and says the time limit stopped it", async () => {
      const pidFile = join(h.tmp, "child.pid");
      const result = await h.run(
        { child: pidFile, sleepMs: 60_000 },
        { ...transcripts.agent, timeout: 1_000 },
      );

      expect(result.outcome).toMatchObject({ kind: "limit", limit: "time" });
      expect(alive(Number(readFileSync(pidFile, "utf8")))).toBe(false);
    });

    it("stops an agent that prints past its output limit, and keeps a bounded log", async () => {
      const result = await h.run(
        { flood: 8 * 1024 * 1024, sleepMs: 60_000 },
        { ...transcripts.agent, maxOutput: 256 * 1024 },
      );

      expect(result.outcome).toMatchObject({ kind: "limit", limit: "output" });
      expect(result.log.length).toBeLessThanOrEqual(300 * 1024);
      expect(result.process.durationMs).toBeLessThan(30_000);
    });
  });
}
