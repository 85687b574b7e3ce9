import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import type { AgentConfig } from "../../../src/app/config/schema.js";
import { gemini } from "../../../src/runner/adapters/gemini.js";
import { describeAdapterContract, readOutput, useHarness } from "../adapter-contract.js";

/**
 * Transcripts as Gemini CLI 0.61.0 prints them with `--output-format stream-json`, from runs of the real CLI
 * (a scripted model, a loopback endpoint that refuses the key, a closed port); timestamps and ids shortened.
 */
const line = (event: object) => JSON.stringify({ timestamp: "2026-12-01T20:37:37.181Z", ...event });
const init = line({ type: "init", session_id: "5615443e", model: "gemini-2.5-flash" });
const user = line({ type: "message", role: "user", content: "You are working on acme/widgets…" });
const say = (content: string) => line({ type: "message", role: "assistant", content, delta: true });
const toolUse = line({
  type: "tool_use",
  tool_name: "write_file",
  tool_id: "write_file__write_file_1796157457226_0",
  parameters: { file_path: "fix.txt", content: "fixed\n" },
});
const toolResult = line({
  type: "tool_result",
  tool_id: "write_file__write_file_1796157457226_0",
  status: "success",
});
const stats = (input: number, cached: number, output: number) => ({
  total_tokens: input + output,
  input_tokens: input,
  output_tokens: output,
  cached,
  input: input - cached,
  duration_ms: 254,
  tool_calls: 1,
  models: {
    "gemini-2.5-flash": {
      total_tokens: input + output,
      input_tokens: input,
      output_tokens: output,
      cached,
      input: input - cached,
    },
  },
});

const SUCCESS = [
  init,
  user,
  say("I'll create the file."),
  toolUse,
  toolResult,
  say("Created fix.txt"),
  say(" with the fix."),
  line({ type: "result", status: "success", stats: stats(2500, 200, 40) }),
];

/** An endpoint that answers 400 (a bad key): no retry; the exit code is the HTTP status (400 → 144). */
const KEY_REFUSED = [
  init,
  user,
  line({
    type: "result",
    status: "error",
    error: {
      type: "unknown",
      message:
        '[API Error: {"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}]',
    },
    stats: stats(0, 0, 0),
  }),
];

/** `model.maxSessionTurns: 1`: the first turn's tool call runs, the second turn is refused; exit 53. */
const TURN_LIMIT = [
  init,
  user,
  say("I'll create the file."),
  toolUse,
  toolResult,
  line({
    type: "result",
    status: "error",
    error: {
      type: "FatalTurnLimitedError",
      message:
        "Reached max session turns for this session. Increase the number of turns by specifying maxSessionTurns in settings.json.",
    },
    stats: stats(1200, 200, 30),
  }),
];

const ctx = {
  promptFile: "/tmp/flotilla-session-x/prompt.md",
  prompt: "Fix it.",
  workspace: "/srv/worktrees/1/t7",
  home: "/tmp/flotilla-session-x/home",
};

function agent(overrides: Partial<AgentConfig> = {}): AgentConfig {
  return { adapter: "gemini", timeout: 60_000, maxOutput: 1024, ...overrides } as AgentConfig;
}

const invocation = (overrides: Partial<AgentConfig> = {}) =>
  gemini.invocation({ ...ctx, agent: agent(overrides) });

/** The settings.json the invocation writes into HOME, parsed. */
function settings(overrides: Partial<AgentConfig> = {}): Record<string, unknown> {
  const text = invocation(overrides).files?.[".gemini/settings.json"];
  if (text === undefined) throw new Error("no settings.json");
  return JSON.parse(text) as Record<string, unknown>;
}

const read = (lines: string[]) => readOutput(gemini, lines);

describe("adapter: gemini", () => {
  it("runs Gemini CLI headless with stream-json, the prompt on stdin, approving edits and commands", () => {
    const { argv, env, promptOnStdin } = invocation();

    expect(argv).toEqual(["gemini", "--output-format=stream-json", "--approval-mode=yolo", "--skip-trust"]);
    expect(promptOnStdin).toBe(true);
    expect(env).toEqual({});
  });

  it("asks for the agent's model, as one argument whatever it looks like", () => {
    expect(invocation({ model: "gemini-2.5-pro" }).argv.at(-1)).toBe("--model=gemini-2.5-pro");
    expect(invocation({ model: "-h" }).argv.at(-1)).toBe("--model=-h");
  });

  it("writes settings that keep it quiet: no updates, no telemetry or statistics, three attempts per request", () => {
    expect(settings()).toEqual({
      general: { enableAutoUpdate: false, enableAutoUpdateNotification: false, maxAttempts: 3 },
      privacy: { usageStatisticsEnabled: false },
      telemetry: { enabled: false },
      security: { environmentVariableRedaction: { enabled: true, blocked: ["GEMINI_API_KEY"] } },
    });
  });

  it("keeps the agent's secrets out of the commands the model runs", () => {
    expect(settings({ secrets: ["GATEWAY_KEY", "NPM_TOKEN"] }).security).toEqual({
      environmentVariableRedaction: { enabled: true, blocked: ["GATEWAY_KEY", "NPM_TOKEN"] },
    });
  });

  it("sends the API key to the agent's base URL: GOOGLE_GEMINI_BASE_URL, with the API-key auth type", () => {
    const baseUrl = "https://gemini-gateway.example.com";

    expect(invocation({ baseUrl }).env).toEqual({ GOOGLE_GEMINI_BASE_URL: baseUrl });
    expect(settings({ baseUrl }).security).toMatchObject({ auth: { selectedType: "gemini-api-key" } });
    expect(settings().security).not.toHaveProperty("auth");
  });

  it("passes maxTurns as its session turn limit, says it enforces that, and has no budget limit", () => {
    expect(settings({ maxTurns: 12 }).model).toEqual({ maxSessionTurns: 12 });
    expect(settings()).not.toHaveProperty("model");
    expect(invocation({ maxTurns: 12, maxBudgetUsd: 3 }).argv).toEqual(invocation().argv);
    expect(gemini.enforces).toEqual({ maxTurns: true, maxBudgetUsd: false });
  });

  it("is installed from npm at the version its flags were checked on, and reads GEMINI_API_KEY", () => {
    expect(gemini.install).toEqual({
      from: "npm",
      package: "@google/gemini-cli",
      version: "0.61.0",
      bin: "gemini",
    });
    expect(gemini.defaultSecrets).toEqual(["GEMINI_API_KEY"]);
  });

  it("reads a successful run: whole messages, tool calls, the last message as summary, usage from the result", () => {
    const { events, report } = read(SUCCESS);

    expect(events).toEqual([
      { kind: "info", text: "Gemini CLI, model gemini-2.5-flash" },
      { kind: "tool", text: "I'll create the file.\nwrite_file fix.txt" },
      { kind: "text", text: "Created fix.txt with the fix." },
    ]);
    expect(report).toEqual({
      summary: "Created fix.txt with the fix.",
      usage: { inputTokens: 2300, cacheReadTokens: 200, outputTokens: 40, turns: 2 },
    });
  });

  it("turns the API's error into its own message", () => {
    const { events, report } = read(KEY_REFUSED);

    expect(events).toEqual([{ kind: "info", text: "Gemini CLI, model gemini-2.5-flash" }]);
    expect(report.outcome).toEqual({
      kind: "agent-error",
      message: "Gemini API error: API key not valid. Please pass a valid API key. (INVALID_ARGUMENT)",
    });
    expect(report.usage).toEqual({ inputTokens: 0, cacheReadTokens: 0, outputTokens: 0 });
  });

  it("keeps an error it cannot parse as it is", () => {
    const { report } = read([
      init,
      line({
        type: "result",
        status: "error",
        error: { type: "unknown", message: "[API Error: exception TypeError: fetch failed sending request]" },
        stats: stats(0, 0, 0),
      }),
    ]);

    expect(report.outcome).toEqual({
      kind: "agent-error",
      message: "Gemini API error: exception TypeError: fetch failed sending request",
    });
  });

  it("says its turn limit stopped it, with the usage up to there", () => {
    const { report } = read(TURN_LIMIT);

    expect(report.outcome).toEqual({
      kind: "limit",
      limit: "turns",
      message: expect.stringMatching(/^Gemini CLI stopped at its turn limit: Reached max session turns/),
    });
    expect(report.usage).toEqual({ inputTokens: 1000, cacheReadTokens: 200, outputTokens: 30, turns: 1 });
  });

  it("fails a run whose result says error without one, with what the error event said", () => {
    const { events, report } = read([
      init,
      say("Thinking…"),
      line({ type: "error", severity: "error", message: "Model stream ended with empty response text." }),
      line({ type: "result", status: "error", stats: stats(100, 0, 5) }),
    ]);

    expect(events.at(-1)).toEqual({
      kind: "error",
      text: "Thinking…\nModel stream ended with empty response text.",
    });
    expect(report.outcome).toEqual({
      kind: "agent-error",
      message: "Model stream ended with empty response text.",
    });
  });

  it("shows warnings and failed tools, and a failed tool does not fail the run", () => {
    const { events, report } = read([
      init,
      line({ type: "error", severity: "warning", message: "Loop detected, stopping execution" }),
      line({
        type: "tool_use",
        tool_name: "run_shell_command",
        tool_id: "t1",
        parameters: { command: "npm test\nnpm run lint", description: "tests" },
      }),
      line({
        type: "tool_result",
        tool_id: "t1",
        status: "error",
        error: { type: "TOOL_EXECUTION_ERROR", message: "exit code 1" },
      }),
      line({ type: "result", status: "success", stats: stats(10, 0, 1) }),
    ]);

    expect(events).toEqual([
      { kind: "info", text: "Gemini CLI, model gemini-2.5-flash" },
      { kind: "info", text: "Loop detected, stopping execution" },
      { kind: "tool", text: "run_shell_command npm test…" },
      { kind: "error", text: "exit code 1" },
    ]);
    expect(report.outcome).toBeUndefined();
  });

  it("fails a run that ended without its result event, keeping what it said", () => {
    const { report } = read([init, say("Half a thought")]);

    expect(report).toEqual({
      summary: "Half a thought",
      usage: { turns: 1 },
      outcome: { kind: "agent-error", message: "Gemini CLI ended without its result event" },
    });
  });

  it("shows lines that are not JSON as information", () => {
    const reader = gemini.reader();

    expect(reader.line("Warning: 256-color support not detected.")).toEqual({
      kind: "info",
      text: "Warning: 256-color support not detected.",
    });
    expect(reader.line("")).toBeUndefined();
  });
});

describe("adapter: gemini, run by the runner", () => {
  const h = useHarness("gemini", { GEMINI_API_KEY: "AIza-test-key-0123456789" });

  it("gets the prompt on stdin, and the base URL and its key in its environment", async () => {
    const record = join(h.tmp, "record.json");
    const result = await h.run(
      { record, stdout: SUCCESS },
      { model: "gemini-2.5-flash", maxTurns: 7, baseUrl: "http://127.0.0.1:9" },
    );

    expect(result.outcome).toEqual({ kind: "success" });
    const seen = JSON.parse(readFileSync(record, "utf8")) as {
      argv: string[];
      env: Record<string, string>;
      stdin: string;
    };
    expect(seen.argv).toContain("--model=gemini-2.5-flash");
    expect(seen.stdin).toContain("Please fix the bug.");
    expect(seen.env).toMatchObject({
      GEMINI_API_KEY: "AIza-test-key-0123456789",
      GOOGLE_GEMINI_BASE_URL: "http://127.0.0.1:9",
    });
    expect(seen.env.HOME).toMatch(/flotilla-session-.*\/home$/);
  });
});

describeAdapterContract(
  "gemini",
  {
    success: {
      stdout: SUCCESS,
      summary: "Created fix.txt with the fix.",
      usage: { inputTokens: 2300, cacheReadTokens: 200, outputTokens: 40, turns: 2 },
    },
    agentError: {
      stdout: KEY_REFUSED,
      stderr: ["Error when talking to Gemini API Full report available at: /tmp/gemini-client-error.json"],
      exit: 144,
      message: /exited with code 144: Gemini API error: API key not valid/,
    },
    agent: { model: "gemini-2.5-flash" },
  },
  { GEMINI_API_KEY: "AIza-test-key-0123456789" },
);
