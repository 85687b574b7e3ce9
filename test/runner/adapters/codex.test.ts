import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import type { AgentConfig } from "../../../src/app/config/schema.js";
import { codex } from "../../../src/runner/adapters/codex.js";
import { describeAdapterContract, readOutput, useHarness } from "../adapter-contract.js";

/**
 * Transcripts as Codex 0.171.0 prints them with `exec --json`, from runs of the real CLI against a scripted
 * Responses API (test/runner/real-clis/codex.test.ts); thread ids shortened.
 */
const line = (event: object) => JSON.stringify(event);
const started = line({ type: "thread.started", thread_id: "01a23354-cc8e" });
const metadataWarning = line({
  type: "item.completed",
  item: {
    id: "item_0",
    type: "error",
    message:
      "Model metadata for `gpt-test` not found. Defaulting to fallback metadata; this can degrade performance and cause issues.",
  },
});
const command = (phase: "started" | "completed", exitCode: number | null) =>
  line({
    type: `item.${phase}`,
    item: {
      id: "item_1",
      type: "command_execution",
      command: `/bin/bash -lc "printf 'fixed\\\\n' > fix.txt"`,
      aggregated_output: "",
      exit_code: exitCode,
      status: phase === "started" ? "in_progress" : exitCode === 0 ? "completed" : "failed",
    },
  });
const message = (text: string) =>
  line({ type: "item.completed", item: { id: "item_2", type: "agent_message", text } });
const completed = (input: number, cached: number, output: number) =>
  line({
    type: "turn.completed",
    usage: {
      input_tokens: input,
      cached_input_tokens: cached,
      cache_write_input_tokens: 0,
      output_tokens: output,
      reasoning_output_tokens: 10,
    },
  });
const busy = "We’re currently experiencing high demand, which may cause temporary errors.";

const SUCCESS = [
  started,
  metadataWarning,
  line({ type: "turn.started" }),
  command("started", null),
  command("completed", 0),
  message("Wrote fix.txt."),
  completed(2500, 1200, 70),
];

/** A 500 on every request: the retries (`error` events), the final `error`, `turn.failed`; exit 1. */
const API_FAILING = [
  started,
  metadataWarning,
  line({ type: "turn.started" }),
  line({ type: "error", message: `Reconnecting... 1/2 (${busy})` }),
  line({ type: "error", message: `Reconnecting... 2/2 (${busy})` }),
  line({ type: "error", message: busy }),
  line({ type: "turn.failed", error: { message: busy } }),
];

const ctx = {
  promptFile: "/tmp/flotilla-session-x/prompt.md",
  prompt: "Fix it.",
  workspace: "/srv/worktrees/1/t7",
  home: "/tmp/flotilla-session-x/home",
};

function agent(overrides: Partial<AgentConfig> = {}): AgentConfig {
  return { adapter: "codex", timeout: 60_000, maxOutput: 1024, ...overrides } as AgentConfig;
}

const argv = (overrides: Partial<AgentConfig> = {}) =>
  codex.invocation({ ...ctx, agent: agent(overrides) }).argv;

/** The value of the `-c` setting `key`. */
function setting(args: string[], key: string): string | undefined {
  const index = args.findIndex((arg, i) => args[i - 1] === "-c" && arg.startsWith(`${key}=`));
  return index < 0 ? undefined : args[index]?.slice(key.length + 1);
}

const read = (lines: string[]) => readOutput(codex, lines);

describe("adapter: codex", () => {
  it("runs `codex exec --json` on the workspace with the prompt on stdin, sandboxed, never asking", () => {
    const invocation = codex.invocation({ ...ctx, agent: agent() });

    expect(invocation.argv).toEqual([
      "codex",
      "exec",
      "--json",
      "--color=never",
      "--strict-config",
      "--ephemeral",
      "--skip-git-repo-check",
      "--sandbox=workspace-write",
      "--cd=/srv/worktrees/1/t7",
      "-c",
      'approval_policy="never"',
      "-c",
      "check_for_update_on_startup=false",
      "-c",
      "analytics.enabled=false",
      "-c",
      'web_search="disabled"',
      "-c",
      'model_provider="flotilla"',
      "-c",
      'model_providers.flotilla={name="OpenAI via Flotilla",base_url="https://api.openai.com/v1",env_key="OPENAI_API_KEY",wire_api="responses",request_max_retries=2,stream_max_retries=2,supports_websockets=false}',
      "-c",
      'shell_environment_policy.exclude=["OPENAI_API_KEY"]',
      "-",
    ]);
    expect(invocation.promptOnStdin).toBe(true);
    expect(invocation.env).toBeUndefined();
    expect(invocation.files).toBeUndefined();
  });

  it("asks for the agent's model, as one argument whatever it looks like", () => {
    expect(argv({ model: "gpt-5.6-codex" }).at(-2)).toBe("--model=gpt-5.6-codex");
    expect(argv({ model: "-h" }).at(-2)).toBe("--model=-h");
    expect(argv().some((a) => a.startsWith("--model"))).toBe(false);
  });

  it("points its provider at the agent's base URL, escaped as a TOML string", () => {
    const provider = setting(argv({ baseUrl: "http://127.0.0.1:4000/v1" }), "model_providers.flotilla");
    expect(provider).toContain('base_url="http://127.0.0.1:4000/v1"');

    const odd = setting(argv({ baseUrl: 'https://gw.example/v1?q="x"\\' }), "model_providers.flotilla");
    expect(odd).toContain('base_url="https://gw.example/v1?q=\\"x\\"\\\\"');
  });

  it("reads the API key from OPENAI_API_KEY, from the agent's own secret, or from nothing", () => {
    const key = (secrets?: string[]) =>
      /env_key="([^"]+)"/.exec(setting(argv({ secrets }), "model_providers.flotilla") ?? "")?.[1];

    expect(codex.defaultSecrets).toEqual(["OPENAI_API_KEY"]);
    expect(key()).toBe("OPENAI_API_KEY");
    expect(key(["GITHUB_TOKEN", "OPENAI_API_KEY"])).toBe("OPENAI_API_KEY");
    expect(key(["GATEWAY_KEY"])).toBe("GATEWAY_KEY");
    expect(key([])).toBeUndefined();
  });

  it("keeps the agent's secrets out of the commands the model runs", () => {
    expect(setting(argv({ secrets: ["GATEWAY_KEY", "NPM_TOKEN"] }), "shell_environment_policy.exclude")).toBe(
      '["GATEWAY_KEY","NPM_TOKEN"]',
    );
    expect(setting(argv({ secrets: [] }), "shell_environment_policy.exclude")).toBeUndefined();
  });

  it("has no flags for turn or budget limits, and says it enforces none", () => {
    expect(argv({ maxTurns: 5, maxBudgetUsd: 2 })).toEqual(argv());
    expect(codex.enforces).toEqual({ maxTurns: false, maxBudgetUsd: false });
  });

  it("is installed from npm at the version its flags were checked on", () => {
    expect(codex.install).toEqual({
      from: "npm",
      package: "@openai/codex",
      version: "0.171.0",
      bin: "codex",
    });
  });

  it("reads a successful run: the commands as tools, the last message as summary, usage per turn", () => {
    const { events, report } = read(SUCCESS);

    expect(events).toEqual([
      { kind: "info", text: expect.stringContaining("Model metadata for `gpt-test` not found") },
      { kind: "tool", text: `$ /bin/bash -lc "printf 'fixed\\\\n' > fix.txt"` },
      { kind: "text", text: "Wrote fix.txt." },
    ]);
    expect(report).toEqual({
      summary: "Wrote fix.txt.",
      usage: { inputTokens: 1300, cacheReadTokens: 1200, cacheWriteTokens: 0, outputTokens: 70, turns: 1 },
    });
  });

  it("sums usage over turns and keeps the last agent message", () => {
    const { report } = read([
      message("First."),
      completed(100, 0, 10),
      message("Second."),
      completed(300, 100, 20),
    ]);

    expect(report.summary).toBe("Second.");
    expect(report.usage).toEqual({
      inputTokens: 300,
      cacheReadTokens: 100,
      cacheWriteTokens: 0,
      outputTokens: 30,
      turns: 2,
    });
  });

  it("shows file edits, failed commands, MCP calls and reasoning", () => {
    const { events } = read([
      line({ type: "item.completed", item: { type: "reasoning", text: "**Planning the fix**\nmore" } }),
      command("completed", 2),
      line({
        type: "item.completed",
        item: {
          type: "file_change",
          status: "completed",
          changes: [
            { path: "src/a.ts", kind: "update" },
            { path: "b.ts", kind: "add" },
          ],
        },
      }),
      line({ type: "item.started", item: { type: "mcp_tool_call", server: "docs", tool: "search" } }),
      line({
        type: "item.completed",
        item: {
          type: "mcp_tool_call",
          server: "docs",
          tool: "search",
          status: "failed",
          error: { message: "down" },
        },
      }),
    ]);

    expect(events).toEqual([
      { kind: "info", text: "**Planning the fix**…" },
      { kind: "tool", text: `$ /bin/bash -lc "printf 'fixed\\\\n' > fix.txt" (exit 2)` },
      { kind: "tool", text: "update src/a.ts, add b.ts" },
      { kind: "tool", text: "docs.search" },
      { kind: "error", text: "docs.search: down" },
    ]);
  });

  it("takes `turn.failed` as the agent's error, and its retries as news", () => {
    const { events, report } = read(API_FAILING);

    expect(events.filter((e) => e.kind === "info").map((e) => e.text)).toEqual([
      expect.stringContaining("Model metadata"),
      `Reconnecting... 1/2 (${busy})`,
      `Reconnecting... 2/2 (${busy})`,
    ]);
    expect(report.outcome).toEqual({ kind: "agent-error", message: busy });
    expect(report.usage).toEqual({});
  });

  it("takes a stream that ends on an `error` event as an error, but not one a later turn got past", () => {
    expect(read([line({ type: "error", message: "stream closed" })]).report.outcome).toEqual({
      kind: "agent-error",
      message: "stream closed",
    });
    expect(read([line({ type: "error", message: "stream closed" }), completed(1, 0, 1)]).report.outcome).toBe(
      undefined,
    );
    expect(read([line({ type: "error", message: "Reconnecting... 1/2 (x)" })]).report.outcome).toBe(
      undefined,
    );
  });

  it("shows a line that is not an event as it is, and ignores events it does not know", () => {
    expect(
      read(["WARNING: something", line({ type: "item.updated", item: { type: "todo_list" } })]).events,
    ).toEqual([{ kind: "info", text: "WARNING: something" }]);
  });

  describe("in a session", () => {
    const h = useHarness("codex", { OPENAI_API_KEY: "sk-test-codex-contract-0123456789" });

    it("gets the prompt on stdin, its key in the environment, and runs in the workspace", async () => {
      const record = join(h.tmp, "record.json");
      await h.run({ record, stdout: SUCCESS });

      const seen = JSON.parse(readFileSync(record, "utf8")) as {
        argv: string[];
        env: Record<string, string>;
        cwd: string;
        stdin: string;
      };
      expect(seen.argv.slice(0, 2)).toEqual(["exec", "--json"]);
      expect(seen.argv.at(-1)).toBe("-");
      expect(seen.stdin).toContain("Fix the bug");
      expect(seen.env.OPENAI_API_KEY).toBe("sk-test-codex-contract-0123456789");
      expect(seen.cwd).toBe(h.workspace.dir);
    });
  });
});

describeAdapterContract(
  "codex",
  {
    success: {
      stdout: SUCCESS,
      summary: "Wrote fix.txt.",
      usage: { inputTokens: 1300, cacheReadTokens: 1200, cacheWriteTokens: 0, outputTokens: 70, turns: 1 },
    },
    agentError: { stdout: API_FAILING, exit: 1, message: /high demand/ },
    agent: { model: "gpt-5.6-codex" },
  },
  { OPENAI_API_KEY: "sk-test-codex-contract-0123456789" },
);
