import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import type { AgentConfig } from "../../src/app/config/schema.js";
import { MissingSecretError } from "../../src/runner/agent-env.js";
import { runSession, type SessionSpec } from "../../src/runner/run-session.js";
import { type Workspace, Workspaces } from "../../src/runner/workspace.js";
import { createRepo, SCRIPTED_AGENT, scriptPrompt } from "./fixtures.js";

const SECRET = "sk-ant-api03-the-agents-own-key-0123456789";
const WORKER_ENV = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  ANTHROPIC_API_KEY: SECRET,
  GITHUB_TOKEN: "ghs_workerInstallationToken000000000000",
  REDIS_URL: "redis://:hunter22@localhost:6379",
  PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\nMIIEworker\n-----END RSA PRIVATE KEY-----",
};

let tmp: string;
let workspace: Workspace;

const scripted: AgentConfig = {
  adapter: "command",
  command: ["node", SCRIPTED_AGENT, "{prompt_file}"],
  timeout: 30_000,
  maxOutput: 32 * 1024 * 1024,
  secrets: [],
};

function session(body: string, overrides: Partial<SessionSpec> = {}) {
  return runSession({
    workspace: workspace.dir,
    baseSha: workspace.baseSha,
    agentName: "scripted",
    agent: scripted,
    repo: "acme/widgets",
    request: { issue: { number: 7, title: "Greet in French", body } },
    env: WORKER_ENV,
    tmpRoot: join(tmp, "tmp"),
    ...overrides,
  });
}

/** What runSession left in its temp root (a dir of this test's own, so nothing else writes there). */
function sessionDirs(): string[] {
  return readdirSync(join(tmp, "tmp"));
}

beforeEach(async () => {
  tmp = mkdtempSync(join(tmpdir(), "flotilla-run-session-"));
  mkdirSync(join(tmp, "tmp"));
  createRepo(join(tmp, "upstream"), {
    "README.md": "# widgets\n",
    "greet.js": 'export const greeting = "hello";\n',
  });
  const workspaces = new Workspaces({ root: join(tmp, "root") });
  workspace = await workspaces.open(
    { key: "1", url: `file://${join(tmp, "upstream")}` },
    { baseBranch: "main", branch: "flotilla/7-scripted", name: "task7-1-a" },
  );
});

afterEach(async () => {
  await workspace.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("runSession", () => {
  it("runs the agent on the issue and collects what it committed and what it left on disk", async () => {
    const result = await session(
      scriptPrompt(`
replace greet.js <<EOF
-export const greeting = "hello";
+export const greeting = "bonjour";
EOF
commit "Greet in French"
write NOTES.md <<EOF
not committed
EOF`),
    );

    expect(result.outcome).toEqual({ kind: "success" });
    expect(result.process).toMatchObject({ exitCode: 0, timedOut: false, cancelled: false });
    expect(result.process.output).toContain("> commit");
    expect(result.log).toContain("> commit");
    expect(result.changeset.baseSha).toBe(workspace.baseSha);
    expect(result.changeset.files.map((f) => [f.path, f.status])).toEqual([
      ["NOTES.md", "added"],
      ["greet.js", "modified"],
    ]);
    expect(result.timings.durationMs).toBeGreaterThanOrEqual(result.timings.agentMs);
    expect(result.timings.agentMs).toBeGreaterThan(0);
  });

  it("writes the prompt outside the workspace, keeps it out of the changeset and removes it after", async () => {
    const agent: AgentConfig = {
      ...scripted,
      command: [
        "sh",
        "-c",
        'echo "prompt=$1"; grep -c "untrusted input" "$1"; ls -A "$HOME"',
        "sh",
        "{prompt_file}",
      ],
    };

    const result = await session("Do it.", { agent });

    const promptFile = /prompt=(\S+)/.exec(result.process.output)?.[1] ?? "";
    expect(promptFile).toMatch(/^\/.*prompt\.md$/);
    expect(promptFile.startsWith(workspace.dir)).toBe(false);
    expect(result.process.output).toContain("\n1\n");
    expect(existsSync(promptFile)).toBe(false);
    expect(result.changeset.files).toEqual([]);
    expect(sessionDirs()).toEqual([]);
  });

  it("refuses a temp dir inside the workspace, where the prompt would become part of the changeset", async () => {
    const tmpRoot = join(workspace.dir, "tmp");
    mkdirSync(tmpRoot);

    await expect(session("Do it.", { tmpRoot })).rejects.toThrow(/inside the workspace/);
    expect(readdirSync(tmpRoot)).toEqual([]);
  });

  it("gives the agent its secrets and a fresh HOME, and none of the worker's other variables", async () => {
    const agent: AgentConfig = { ...scripted, command: ["env"], secrets: ["ANTHROPIC_API_KEY"] };

    const result = await session("Print the environment.", { agent });

    const names = result.process.output
      .trim()
      .split("\n")
      .map((line) => line.split("=")[0])
      .sort();
    expect(names).toEqual(["ANTHROPIC_API_KEY", "CI", "HOME", "PATH", "TMPDIR"]);
    expect(result.process.output).not.toMatch(/GITHUB_TOKEN|REDIS_URL|PRIVATE_KEY|hunter22|MIIEworker/);
  });

  it("redacts the agent's secrets and token shapes from its output", async () => {
    const agent: AgentConfig = { ...scripted, secrets: ["ANTHROPIC_API_KEY"] };

    const result = await session(
      scriptPrompt(`
printenv ANTHROPIC_API_KEY
echo found ghs_aTokenTheAgentFoundOnDisk0000000000 in a file`),
      { agent },
    );

    expect(result.process.output).toContain("ANTHROPIC_API_KEY=[redacted]");
    expect(result.process.output).toContain("found [redacted] in a file");
    expect(result.log).toContain("ANTHROPIC_API_KEY=[redacted]");
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(JSON.stringify(result)).not.toContain("ghs_aToken");
  });

  it("redacts a private key printed over several lines, in the log and in live progress", async () => {
    const body = "MIIEowIBAAKCAQEAwholeKeyBodyLine0123456789abcdefghijklmnop";
    const agent: AgentConfig = {
      ...scripted,
      command: [
        "sh",
        "-c",
        `echo before; echo "-----BEGIN RSA PRIVATE KEY-----"; echo ${body}; echo ${body}2; echo "-----END RSA PRIVATE KEY-----"; echo after`,
      ],
    };
    const progress: string[] = [];

    const result = await session("Do it.", { agent, onProgress: (event) => progress.push(event.text) });

    expect(result.log).toContain("before");
    expect(result.log).toContain("after");
    expect(result.log).not.toContain(body);
    expect(progress).toEqual(["before", "[redacted]", "[redacted]", "[redacted]", "[redacted]", "after"]);
  });

  it("still collects the changeset when the agent fails", async () => {
    const result = await session(scriptPrompt('write half.txt <<EOF\nhalf done\nEOF\nexit 4 "tests fail"'));

    expect(result.process).toMatchObject({ exitCode: 4 });
    expect(result.outcome).toEqual({ kind: "agent-error", message: "The agent exited with code 4." });
    expect(result.log).toContain("tests fail");
    expect(result.changeset.files.map((f) => f.path)).toEqual(["half.txt"]);
  });

  it("stops an agent at its timeout and still collects what it wrote", async () => {
    const agent: AgentConfig = { ...scripted, timeout: 1_000 };

    const result = await session(scriptPrompt("write early.txt <<EOF\nx\nEOF\nsleep 30000"), { agent });

    expect(result.process).toMatchObject({ timedOut: true, exitCode: null });
    expect(result.outcome).toEqual({
      kind: "limit",
      limit: "time",
      message: "The agent was stopped after its 1-second timeout.",
    });
    expect(result.changeset.files.map((f) => f.path)).toEqual(["early.txt"]);
  });

  it("stops an agent when the caller cancels", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);

    const result = await session(scriptPrompt("sleep 30000"), { signal: controller.signal });

    expect(result.process).toMatchObject({ cancelled: true, timedOut: false });
    expect(result.outcome.kind).toBe("cancelled");
  });

  it("returns a result when the agent's program cannot start", async () => {
    const agent: AgentConfig = { ...scripted, command: ["no-such-agent-cli", "{prompt_file}"] };

    const result = await session("Do it.", { agent });

    expect(result.process.exitCode).toBeNull();
    expect(result.process.output).toContain('could not start "no-such-agent-cli"');
    expect(result.log).toContain('could not start "no-such-agent-cli"');
    expect(result.outcome).toEqual({
      kind: "agent-error",
      message:
        'The agent could not start "no-such-agent-cli": ENOENT; is its CLI installed on this worker (see docs/agents.md)?',
    });
    expect(result.changeset.files).toEqual([]);
  });

  it("refuses to start, naming the secret, when a configured secret is missing", async () => {
    const agent: AgentConfig = { ...scripted, secrets: ["GEMINI_API_KEY"] };

    await expect(session("Do it.", { agent })).rejects.toThrow(MissingSecretError);
    await expect(session("Do it.", { agent })).rejects.toThrow(/GEMINI_API_KEY/);
    expect(sessionDirs()).toEqual([]);
  });
});
