import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import type { AgentConfig } from "../../../src/app/config/schema.js";
import { OpencodeModelError, opencode } from "../../../src/runner/adapters/opencode.js";
import { describeAdapterContract, readOutput, useHarness } from "../adapter-contract.js";

/**
 * Transcripts as OpenCode 1.18.33 prints them with `run --format json`, from runs of the real CLI against a
 * scripted OpenAI-compatible endpoint and an Anthropic endpoint that refuses the key; ids shortened.
 */
const SESSION = "ses_dcc9feb33ffeKfC9cca3Pmpncq";
const line = (type: string, rest: object) =>
  JSON.stringify({ type, timestamp: 1796158268923, sessionID: SESSION, ...rest });
const stepStart = (message: string) =>
  line("step_start", {
    part: { id: "prt_1", messageID: message, sessionID: SESSION, snapshot: "4b825dc6", type: "step-start" },
  });
const stepFinish = (
  message: string,
  reason: string,
  tokens: { input: number; output: number; reasoning?: number; read?: number; write?: number },
  cost = 0,
) =>
  line("step_finish", {
    part: {
      id: "prt_2",
      reason,
      snapshot: "d9813eeb",
      messageID: message,
      sessionID: SESSION,
      type: "step-finish",
      tokens: {
        total: tokens.input + tokens.output + (tokens.read ?? 0),
        input: tokens.input,
        output: tokens.output,
        reasoning: tokens.reasoning ?? 0,
        cache: { write: tokens.write ?? 0, read: tokens.read ?? 0 },
      },
      cost,
    },
  });
const text = (message: string, said: string) =>
  line("text", {
    part: {
      id: "prt_3",
      messageID: message,
      sessionID: SESSION,
      type: "text",
      text: said,
      time: { start: 1796158269789, end: 1796158269794 },
    },
  });
const toolUse = (tool: string, input: object, state: object = { status: "completed" }) =>
  line("tool_use", {
    part: {
      type: "tool",
      tool,
      callID: "call_1",
      state: { input, output: "Wrote file successfully.", title: "fix.txt", ...state },
      id: "prt_4",
      sessionID: SESSION,
      messageID: "msg_1",
    },
  });

const SUCCESS = [
  stepStart("msg_1"),
  toolUse("write", { filePath: "fix.txt", content: "fixed\n" }),
  stepFinish("msg_1", "tool-calls", { input: 900, output: 20, read: 100 }, 0.00390625),
  stepStart("msg_2"),
  text("msg_2", "Created fix.txt with the fix."),
  stepFinish("msg_2", "stop", { input: 1100, output: 10 }, 0.001953125),
];

/** An Anthropic endpoint that answers 401: not retried, one `error` event; exit 1. */
const KEY_REFUSED = [
  line("error", {
    error: {
      name: "APIError",
      data: {
        message: "invalid x-api-key",
        statusCode: 401,
        isRetryable: false,
        responseBody:
          '{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}',
        metadata: { url: "http://127.0.0.1:18477/v1/messages" },
      },
    },
  }),
];

/** Nothing listening at the base URL: five retries over about a minute (on stderr), then one `error`. */
const UNREACHABLE = [
  line("error", {
    error: {
      name: "APIError",
      data: {
        message: "Cannot connect to API: Unable to connect. Is the computer able to access the url?",
        isRetryable: true,
        metadata: { url: "http://127.0.0.1:9/v1/messages" },
      },
    },
  }),
];

const ctx = {
  promptFile: "/tmp/flotilla-session-x/prompt.md",
  prompt: "Fix it.",
  workspace: "/srv/worktrees/1/t7",
  home: "/tmp/flotilla-session-x/home",
};

function agent(overrides: Partial<AgentConfig> = {}): AgentConfig {
  return { adapter: "opencode", timeout: 60_000, maxOutput: 1024, ...overrides } as AgentConfig;
}

const invocation = (overrides: Partial<AgentConfig> = {}) =>
  opencode.invocation({ ...ctx, agent: agent(overrides) });

/** The inline config the invocation passes in OPENCODE_CONFIG_CONTENT, parsed. */
function config(overrides: Partial<AgentConfig> = {}): Record<string, unknown> {
  const content = invocation(overrides).env?.OPENCODE_CONFIG_CONTENT;
  if (content === undefined) throw new Error("no OPENCODE_CONFIG_CONTENT");
  return JSON.parse(content) as Record<string, unknown>;
}

const read = (lines: string[]) => readOutput(opencode, lines);

describe("adapter: opencode", () => {
  it("runs `opencode run` with JSON events and the prompt on stdin, without plugins or a title call", () => {
    const { argv, promptOnStdin, files } = invocation();

    expect(argv).toEqual([
      "opencode",
      "run",
      "--pure",
      "--format=json",
      "--title=flotilla",
      "--print-logs",
      "--log-level=ERROR",
    ]);
    expect(promptOnStdin).toBe(true);
    expect(files).toBeUndefined();
  });

  it("configures it inline: no updates, sharing or snapshots; every permission but endless loops", () => {
    expect(config()).toEqual({
      autoupdate: false,
      share: "disabled",
      snapshot: false,
      permission: { "*": "allow", doom_loop: "deny" },
    });
  });

  it("asks for the agent's model as provider/model, and refuses one without a provider", () => {
    expect(invocation({ model: "anthropic/claude-sonnet-4-5" }).argv.at(-1)).toBe(
      "--model=anthropic/claude-sonnet-4-5",
    );
    expect(invocation({ model: "openrouter/google/gemini-2.5-pro" }).argv.at(-1)).toBe(
      "--model=openrouter/google/gemini-2.5-pro",
    );
    for (const model of ["claude-sonnet-4-5", "/x", "anthropic/"]) {
      expect(() => invocation({ model })).toThrow(OpencodeModelError);
    }
    expect(() => invocation({ model: "gpt-5" })).toThrow(/provider\/model/);
  });

  it("points the model's provider at the agent's base URL, or Anthropic's without a model", () => {
    expect(config({ model: "openai/gpt-5", baseUrl: "https://gw.example/v1" }).provider).toEqual({
      openai: { options: { baseURL: "https://gw.example/v1" } },
    });
    expect(config({ baseUrl: "http://127.0.0.1:4000/v1" }).provider).toEqual({
      anthropic: { options: { baseURL: "http://127.0.0.1:4000/v1" } },
    });
    expect(config({ model: "openai/gpt-5" })).not.toHaveProperty("provider");
  });

  it("asks the build agent to stop at maxTurns, but says it does not enforce that, nor a budget", () => {
    expect(config({ maxTurns: 30 }).agent).toEqual({ build: { steps: 30 } });
    expect(config()).not.toHaveProperty("agent");
    expect(invocation({ maxBudgetUsd: 2 })).toEqual(invocation());
    expect(opencode.enforces).toEqual({ maxTurns: false, maxBudgetUsd: false });
  });

  it("is installed from npm at the version its flags were checked on, and reads ANTHROPIC_API_KEY", () => {
    expect(opencode.install).toEqual({
      from: "npm",
      package: "opencode-ai",
      version: "1.18.33",
      bin: "opencode",
    });
    expect(opencode.defaultSecrets).toEqual(["ANTHROPIC_API_KEY"]);
  });

  it("reads a successful run: tool calls, the last text as summary, tokens and cost summed over steps", () => {
    const { events, report } = read(SUCCESS);

    expect(events).toEqual([
      { kind: "tool", text: "write fix.txt" },
      { kind: "text", text: "Created fix.txt with the fix." },
    ]);
    expect(report).toEqual({
      summary: "Created fix.txt with the fix.",
      usage: {
        inputTokens: 2000,
        outputTokens: 30,
        cacheReadTokens: 100,
        cacheWriteTokens: 0,
        costUsd: 0.005859375,
        turns: 2,
      },
    });
  });

  it("counts reasoning tokens as output, and a cost of 0 as not reported", () => {
    const { report } = read([
      stepStart("msg_1"),
      stepFinish("msg_1", "stop", { input: 50, output: 5, reasoning: 40, write: 7 }),
    ]);

    expect(report.usage).toEqual({
      inputTokens: 50,
      outputTokens: 45,
      cacheReadTokens: 0,
      cacheWriteTokens: 7,
      turns: 1,
    });
  });

  it("keeps the text of the last step that said something as the summary", () => {
    const { report } = read([
      stepStart("msg_1"),
      text("msg_1", "Let me look."),
      stepFinish("msg_1", "tool-calls", { input: 1, output: 1 }),
      stepStart("msg_2"),
      text("msg_2", "Fixed it."),
      text("msg_2", "Tests pass."),
      stepFinish("msg_2", "stop", { input: 1, output: 1 }),
      stepStart("msg_3"),
      stepFinish("msg_3", "stop", { input: 1, output: 0 }),
    ]);

    expect(report.summary).toBe("Fixed it.\n\nTests pass.");
  });

  it("turns an error event into the agent's error, with the HTTP status and the URL", () => {
    const { events, report } = read(KEY_REFUSED);

    const said = "invalid x-api-key (HTTP 401 from http://127.0.0.1:18477/v1/messages)";
    expect(events).toEqual([{ kind: "error", text: said }]);
    expect(report).toEqual({ usage: {}, outcome: { kind: "agent-error", message: said } });
    expect(read(UNREACHABLE).report.outcome).toEqual({
      kind: "agent-error",
      message:
        "Cannot connect to API: Unable to connect. Is the computer able to access the url? (from http://127.0.0.1:9/v1/messages)",
    });
    expect(
      read([
        line("error", { error: { name: "UnknownError", data: { message: "Unexpected server error." } } }),
      ]).report.outcome,
    ).toEqual({ kind: "agent-error", message: "Unexpected server error." });
    expect(read([line("error", { error: { name: "MessageAbortedError" } })]).report.outcome).toEqual({
      kind: "agent-error",
      message: "MessageAbortedError",
    });
  });

  it("shows a failed tool call as an error, without failing the run", () => {
    const { events, report } = read([
      toolUse(
        "bash",
        { command: "npm test", description: "Run tests" },
        { status: "error", error: "exit 1" },
      ),
    ]);

    expect(events).toEqual([{ kind: "error", text: "bash npm test: exit 1" }]);
    expect(report.outcome).toBeUndefined();
  });

  it("shows lines that are not JSON as information", () => {
    const reader = opencode.reader();

    expect(reader.line('! agent "fixer" not found. Falling back to default agent')).toEqual({
      kind: "info",
      text: '! agent "fixer" not found. Falling back to default agent',
    });
    expect(reader.line("  ")).toBeUndefined();
  });
});

describe("adapter: opencode, run by the runner", () => {
  const h = useHarness("opencode", { ANTHROPIC_API_KEY: "sk-ant-test-0123456789" });

  it("gets the prompt on stdin, and its config and key in its environment", async () => {
    const record = join(h.tmp, "record.json");
    const result = await h.run(
      { record, stdout: SUCCESS },
      { model: "anthropic/claude-sonnet-4-5", baseUrl: "http://127.0.0.1:9/v1" },
    );

    expect(result.outcome).toEqual({ kind: "success" });
    const seen = JSON.parse(readFileSync(record, "utf8")) as {
      argv: string[];
      env: Record<string, string>;
      stdin: string;
    };
    expect(seen.argv).toContain("--model=anthropic/claude-sonnet-4-5");
    expect(seen.stdin).toContain("Please fix the bug.");
    expect(seen.env.ANTHROPIC_API_KEY).toBe("sk-ant-test-0123456789");
    expect(JSON.parse(seen.env.OPENCODE_CONFIG_CONTENT ?? "{}")).toMatchObject({
      provider: { anthropic: { options: { baseURL: "http://127.0.0.1:9/v1" } } },
    });
  });
});

describeAdapterContract(
  "opencode",
  {
    success: {
      stdout: SUCCESS,
      summary: "Created fix.txt with the fix.",
      usage: {
        inputTokens: 2000,
        outputTokens: 30,
        cacheReadTokens: 100,
        cacheWriteTokens: 0,
        costUsd: 0.005859375,
        turns: 2,
      },
    },
    agentError: {
      stdout: KEY_REFUSED,
      stderr: [
        'timestamp=2026-12-01T20:56:21.390Z level=ERROR message="stream error" providerID=anthropic error.error="AI_APICallError: invalid x-api-key"',
      ],
      exit: 1,
      message:
        /exited with code 1: invalid x-api-key \(HTTP 401 from http:\/\/127\.0\.0\.1:18477\/v1\/messages\)/,
    },
    agent: { model: "anthropic/claude-sonnet-4-5" },
  },
  { ANTHROPIC_API_KEY: "sk-ant-test-0123456789" },
);
