import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import { parse } from "yaml";
import type { AgentConfig } from "../../../src/app/config/schema.js";
import { goose, gooseModel } from "../../../src/runner/adapters/goose.js";
import { describeAdapterContract, readOutput, useHarness } from "../adapter-contract.js";

/**
 * Transcripts in the shape goose 1.50 prints with `run --output-format stream-json`, put together from its
 * source (session/mod.rs's StreamEvent, conversation/message.rs's Message and MessageContent): goose cannot
 * be installed where this was written, so these are not captured from a run. An assistant message streams as
 * several `message` events with one id, each with the next piece of text.
 */
const line = (event: object) => JSON.stringify(event);
const metadata = { userVisible: true, agentVisible: true };
const assistant = (id: string, content: object) =>
  line({
    type: "message",
    message: { id, role: "assistant", created: 1764620000, content: [content], metadata },
  });
const user = (id: string, content: object) =>
  line({ type: "message", message: { id, role: "user", created: 1764620001, content: [content], metadata } });
const text = (value: string) => ({ type: "text", text: value });
const toolRequest = (id: string, name: string, args: object) => ({
  type: "toolRequest",
  id,
  toolCall: { status: "success", value: { name, arguments: args } },
});
const toolResponse = (id: string, output: string, isError = false) => ({
  type: "toolResponse",
  id,
  toolResult: { status: "success", value: { content: [{ type: "text", text: output }], isError } },
});
const complete = line({
  type: "complete",
  total_tokens: 3760,
  input_tokens: 3600,
  output_tokens: 160,
  cache_read_input_tokens: 1000,
  cache_write_input_tokens: 400,
  cost_usd: 0.0123,
});

const SUCCESS = [
  assistant("msg_1", text("I'll create ")),
  assistant("msg_1", text("fix.txt.\n")),
  assistant(
    "msg_1",
    toolRequest("toolu_1", "developer__text_editor", {
      command: "write",
      path: "/srv/worktrees/1/t7/fix.txt",
      file_text: "fixed\n",
    }),
  ),
  user("msg_2", toolResponse("toolu_1", "Successfully wrote to /srv/worktrees/1/t7/fix.txt")),
  assistant("msg_3", text("Fixed the bug ")),
  assistant("msg_3", text("in fix.txt.")),
  complete,
];

const SUCCESS_USAGE = {
  inputTokens: 2200,
  outputTokens: 160,
  cacheReadTokens: 1000,
  cacheWriteTokens: 400,
  costUsd: 0.0123,
  turns: 2,
};

const AUTH_FAILED =
  "Authentication failed. Please ensure your API keys are valid and have the required permissions. Status: 401 Unauthorized";

const ctx = {
  promptFile: "/tmp/flotilla-session-x/prompt.md",
  prompt: "Fix it.",
  workspace: "/srv/worktrees/1/t7",
  home: "/tmp/flotilla-session-x/home",
};

function agent(overrides: Partial<AgentConfig> = {}): AgentConfig {
  return { adapter: "goose", timeout: 60_000, maxOutput: 1024, ...overrides } as AgentConfig;
}

const invocation = (overrides: Partial<AgentConfig> = {}) =>
  goose.invocation({ ...ctx, agent: agent(overrides) });
const config = (overrides: Partial<AgentConfig> = {}) =>
  parse(invocation(overrides).files?.[".config/goose/config.yaml"] ?? "") as Record<string, unknown>;

const read = (lines: string[]) => readOutput(goose, lines);

describe("adapter: goose", () => {
  it("runs `goose run` on the prompt file, as stream-json, with no session, its tools and no questions", () => {
    const { argv, env, files, promptOnStdin } = invocation();

    expect(argv).toEqual([
      "goose",
      "run",
      "--no-session",
      "--instructions=/tmp/flotilla-session-x/prompt.md",
      "--output-format=stream-json",
      "--provider=anthropic",
      "--with-builtin=developer",
    ]);
    expect(env).toEqual({ GOOSE_DISABLE_KEYRING: "1", GOOSE_TELEMETRY_OFF: "1" });
    expect(Object.keys(files ?? {})).toEqual([".config/goose/config.yaml"]);
    expect(config()).toEqual({ GOOSE_MODE: "auto", GOOSE_TELEMETRY_ENABLED: false });
    expect(promptOnStdin).toBeUndefined();
  });

  it("takes the provider from the model's prefix, Anthropic when there is none", () => {
    expect(gooseModel(undefined)).toEqual({ provider: "anthropic" });
    expect(gooseModel("claude-sonnet-4-5")).toEqual({ provider: "anthropic", model: "claude-sonnet-4-5" });
    expect(gooseModel("openai/gpt-5.6")).toEqual({ provider: "openai", model: "gpt-5.6" });
    expect(gooseModel("openrouter/anthropic/claude-sonnet-4.5")).toEqual({
      provider: "openrouter",
      model: "anthropic/claude-sonnet-4.5",
    });
    expect(invocation({ model: "openai/gpt-5.6" }).argv).toEqual(
      expect.arrayContaining(["--provider=openai", "--model=gpt-5.6"]),
    );
  });

  it("passes --max-turns, the one limit goose enforces itself, and no budget", () => {
    expect(invocation({ maxTurns: 25 }).argv.at(-1)).toBe("--max-turns=25");
    expect(invocation({ maxBudgetUsd: 3 }).argv).toEqual(invocation().argv);
    expect(goose.enforces).toEqual({ maxTurns: true, maxBudgetUsd: false });
  });

  it("points the provider at the base URL through its own host setting", () => {
    expect(config({ baseUrl: "http://127.0.0.1:4000/" })).toMatchObject({
      ANTHROPIC_HOST: "http://127.0.0.1:4000",
    });
    expect(config({ model: "openai/gpt-5.6", baseUrl: "https://gw.example/openai/v1" })).toMatchObject({
      OPENAI_HOST: "https://gw.example",
      OPENAI_BASE_PATH: "openai/v1/chat/completions",
    });
    expect(config({ model: "openai/gpt-5.6", baseUrl: "http://127.0.0.1:4000" })).toMatchObject({
      OPENAI_BASE_PATH: "v1/chat/completions",
    });
    expect(config({ model: "ollama/qwen3", baseUrl: "http://127.0.0.1:11434" })).toMatchObject({
      OLLAMA_HOST: "http://127.0.0.1:11434",
    });
    expect(() => invocation({ model: "databricks/x", baseUrl: "https://db.example" })).toThrow(
      /provider `databricks` has no base URL setting/,
    );
  });

  it("is installed by its official script at a pinned version, with Anthropic's key by default", () => {
    expect(goose.install).toEqual({
      from: "script",
      url: "https://github.com/aaif-goose/goose/releases/download/stable/download_cli.sh",
      version: "1.50.0",
      bin: "goose",
    });
    expect(goose.defaultSecrets).toEqual(["ANTHROPIC_API_KEY"]);
  });

  it("reads a run: streamed text a line at a time, tool calls, the last message, usage from `complete`", () => {
    const { events, report } = read(SUCCESS);

    expect(events).toEqual([
      { kind: "text", text: "I'll create fix.txt." },
      { kind: "tool", text: "developer__text_editor write /srv/worktrees/1/t7/fix.txt" },
      { kind: "text", text: "Fixed the bug in fix.txt." },
    ]);
    expect(report).toEqual({ summary: "Fixed the bug in fix.txt.", usage: SUCCESS_USAGE });
  });

  it("shows a tool's failure, a notification, and a line that is not an event", () => {
    const { events } = read([
      "loading extensions…",
      assistant("msg_1", toolRequest("toolu_1", "developer__shell", { command: "npm test" })),
      user("msg_2", toolResponse("toolu_1", "1 failing", true)),
      line({ type: "notification", extension_id: "developer", log: { message: "running npm test" } }),
      user("msg_3", {
        type: "toolResponse",
        id: "toolu_2",
        toolResult: { status: "error", error: "no such tool" },
      }),
      complete,
    ]);

    expect(events).toEqual([
      { kind: "info", text: "loading extensions…" },
      { kind: "tool", text: "developer__shell npm test" },
      { kind: "error", text: "1 failing" },
      { kind: "info", text: "running npm test" },
      { kind: "error", text: "no such tool" },
    ]);
  });

  it("takes an `error` event as the agent's error", () => {
    const { report } = read([
      assistant("msg_1", text("Let me look.")),
      line({ type: "error", error: AUTH_FAILED }),
    ]);

    expect(report.outcome).toEqual({ kind: "agent-error", message: AUTH_FAILED });
    expect(report.usage).toEqual({ turns: 1 });
  });

  it("says the turn limit stopped a run that ended on goose's max-turns message", () => {
    const { report } = read([
      assistant("msg_1", toolRequest("toolu_1", "developer__shell", { command: "ls" })),
      user("msg_2", toolResponse("toolu_1", "README.md")),
      assistant(
        "msg_3",
        text(
          "I've reached the maximum number of actions I can do without user input. Would you like me to continue?",
        ),
      ),
      complete,
    ]);

    expect(report.outcome).toEqual({
      kind: "limit",
      limit: "turns",
      message: "The agent stopped at its turn limit.",
    });
  });

  describe("in a session", () => {
    const h = useHarness("goose", { ANTHROPIC_API_KEY: "sk-ant-test-goose-contract-0123456789" });

    it("gets its key and settings in the environment, and runs in the workspace", async () => {
      const record = join(h.tmp, "record.json");
      await h.run({ record, stdout: SUCCESS }, { baseUrl: "http://127.0.0.1:4000" });

      const seen = JSON.parse(readFileSync(record, "utf8")) as { env: Record<string, string>; cwd: string };
      expect(seen.env.ANTHROPIC_API_KEY).toBe("sk-ant-test-goose-contract-0123456789");
      expect(seen.env.GOOSE_DISABLE_KEYRING).toBe("1");
      expect(seen.env.GOOSE_TELEMETRY_OFF).toBe("1");
      expect(seen.cwd).toBe(h.workspace.dir);
    });
  });
});

describeAdapterContract(
  "goose",
  {
    success: { stdout: SUCCESS, summary: "Fixed the bug in fix.txt.", usage: SUCCESS_USAGE },
    agentError: {
      stdout: [line({ type: "error", error: AUTH_FAILED })],
      exit: 1,
      message: /Authentication failed/,
    },
    agent: { model: "claude-sonnet-4-5", maxTurns: 50 },
  },
  { ANTHROPIC_API_KEY: "sk-ant-test-goose-contract-0123456789" },
);
