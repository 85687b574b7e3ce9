import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import type { AgentConfig } from "../../../src/app/config/schema.js";
import { claude } from "../../../src/runner/adapters/claude.js";
import { describeAdapterContract, readOutput, useHarness } from "../adapter-contract.js";

/**
 * Transcripts as Claude Code 2.1.332 prints them with `-p --output-format stream-json --verbose`, taken from
 * runs against the scripted endpoint (test/helpers/model-endpoints/anthropic.ts) and trimmed of fields the
 * adapter does not read (the init event's tool lists, session ids, uuids, timings).
 */
const SESSION = "c7a705e4-4442-45fc-9a55-7d51e0b1ae80";
const line = (event: object) => JSON.stringify(event);

const init = line({
  type: "system",
  subtype: "init",
  cwd: "/srv/worktrees/1/t7",
  session_id: SESSION,
  tools: ["Bash", "Edit", "Read", "Write"],
  model: "claude-sonnet-4-5",
  permissionMode: "acceptEdits",
  apiKeySource: "ANTHROPIC_API_KEY",
  claude_code_version: "2.1.332",
});

/** One assistant event: Claude Code prints one per content block, each with its message's usage so far. */
function assistant(id: string, block: object, usage: object) {
  return line({
    type: "assistant",
    message: {
      id,
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [block],
      stop_reason: null,
      stop_sequence: null,
      usage,
      context_management: null,
    },
    parent_tool_use_id: null,
    session_id: SESSION,
  });
}

function toolResult(id: string, content: string, isError = false) {
  return line({
    type: "user",
    message: {
      role: "user",
      content: [{ tool_use_id: id, type: "tool_result", content, is_error: isError }],
    },
    parent_tool_use_id: null,
    session_id: SESSION,
  });
}

function result(fields: object) {
  return line({
    type: "result",
    duration_ms: 974,
    duration_api_ms: 312,
    session_id: SESSION,
    permission_denials: [],
    ...fields,
  });
}

const modelUsage = (input: number, output: number, cacheRead: number, cacheWrite: number, cost: number) => ({
  "claude-sonnet-4-5": {
    inputTokens: input,
    outputTokens: output,
    cacheReadInputTokens: cacheRead,
    cacheCreationInputTokens: cacheWrite,
    webSearchRequests: 0,
    costUSD: cost,
    contextWindow: 200000,
    maxOutputTokens: 32000,
  },
});

const apiUsage = (input: number, output: number, cacheRead = 0, cacheWrite = 0) => ({
  input_tokens: input,
  cache_creation_input_tokens: cacheWrite,
  cache_read_input_tokens: cacheRead,
  output_tokens: output,
  server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 },
  service_tier: "standard",
});

const SUCCESS = [
  init,
  assistant("msg_1", { type: "text", text: "I'll write the fix." }, apiUsage(100, 1, 50, 10)),
  assistant(
    "msg_1",
    {
      type: "tool_use",
      id: "toolu_1",
      name: "Write",
      input: { file_path: "/srv/worktrees/1/t7/fix.txt", content: "fixed\n" },
    },
    apiUsage(100, 1, 50, 10),
  ),
  toolResult("toolu_1", "File created successfully at: /srv/worktrees/1/t7/fix.txt"),
  assistant(
    "msg_2",
    {
      type: "tool_use",
      id: "toolu_2",
      name: "Bash",
      input: { command: "npm test\necho done", description: "Run the tests" },
    },
    apiUsage(120, 1),
  ),
  toolResult("toolu_2", "1 passing"),
  assistant("msg_3", { type: "text", text: "Fixed the bug in fix.txt; the tests pass." }, apiUsage(200, 1)),
  result({
    subtype: "success",
    is_error: false,
    num_turns: 3,
    result: "Fixed the bug in fix.txt; the tests pass.",
    stop_reason: "end_turn",
    total_cost_usd: 0.0038025,
    usage: apiUsage(420, 43, 50, 10),
    modelUsage: modelUsage(420, 43, 50, 10, 0.0038025),
    terminal_reason: "completed",
  }),
];

const SUCCESS_USAGE = {
  inputTokens: 420,
  outputTokens: 43,
  cacheReadTokens: 50,
  cacheWriteTokens: 10,
  costUsd: 0.0038025,
  turns: 3,
};

/** An unreachable API: the synthetic assistant message, then `subtype: success` with `is_error: true`; exit 1. */
const CONNECTION_REFUSED = [
  init,
  line({
    type: "system",
    subtype: "api_retry",
    attempt: 1,
    max_retries: 3,
    retry_delay_ms: 533,
    error_status: null,
    error: "unknown",
    session_id: SESSION,
  }),
  line({
    type: "assistant",
    message: {
      id: "8c81994b-fc21-43b8-8b05-4429f4d46dd6",
      model: "<synthetic>",
      role: "assistant",
      stop_reason: "stop_sequence",
      type: "message",
      usage: apiUsage(0, 0),
      content: [
        {
          type: "text",
          text: "API Error: Connection refused — a firewall or proxy may be blocking it (ECONNREFUSED)",
        },
      ],
    },
    parent_tool_use_id: null,
    session_id: SESSION,
    error: "server_error",
    is_api_error_message: true,
    api_error: "connection_failed",
  }),
  result({
    subtype: "success",
    is_error: true,
    num_turns: 1,
    result: "API Error: Connection refused — a firewall or proxy may be blocking it (ECONNREFUSED)",
    stop_reason: "stop_sequence",
    total_cost_usd: 0,
    usage: apiUsage(0, 0),
    modelUsage: {},
    terminal_reason: "api_error",
    api_error: "connection_failed",
  }),
];

const MAX_TURNS = [
  init,
  assistant("msg_1", { type: "text", text: "Looking at the tests first." }, apiUsage(100, 1)),
  assistant(
    "msg_1",
    { type: "tool_use", id: "toolu_1", name: "Bash", input: { command: "npm test" } },
    apiUsage(100, 1),
  ),
  toolResult("toolu_1", "(Bash completed with no output)"),
  assistant(
    "msg_2",
    { type: "tool_use", id: "toolu_2", name: "Read", input: { file_path: "src/a.ts" } },
    apiUsage(100, 1),
  ),
  toolResult("toolu_2", "export const a = 1;"),
  // 2.1.332 counts the turn it refused to start: num_turns is the limit plus one, and there is no `result`.
  result({
    subtype: "error_max_turns",
    is_error: true,
    num_turns: 3,
    stop_reason: "tool_use",
    total_cost_usd: 0.0012,
    usage: apiUsage(200, 40),
    modelUsage: modelUsage(200, 40, 0, 0, 0.0012),
    terminal_reason: "max_turns",
    errors: ["Reached maximum number of turns (2)"],
  }),
];

/** Over budget after one turn: 2.1.332 zeroes `usage` here, while `modelUsage` keeps what was spent. */
const MAX_BUDGET = [
  init,
  assistant(
    "msg_1",
    { type: "tool_use", id: "toolu_1", name: "Bash", input: { command: "true" } },
    apiUsage(20000, 1),
  ),
  result({
    subtype: "error_max_budget_usd",
    is_error: true,
    num_turns: 1,
    stop_reason: "tool_use",
    total_cost_usd: 0.0603,
    usage: apiUsage(0, 0),
    modelUsage: modelUsage(20000, 20, 0, 0, 0.0603),
    terminal_reason: "budget_exhausted",
    errors: ["Reached maximum budget ($0.05)"],
  }),
];

const read = (lines: string[]) => readOutput(claude, lines);

const ctx = {
  promptFile: "/tmp/flotilla-session-x/prompt.md",
  prompt: "Fix it.",
  workspace: "/srv/worktrees/1/t7",
  home: "/tmp/flotilla-session-x/home",
};

function agent(overrides: Partial<AgentConfig> = {}): AgentConfig {
  return { adapter: "claude", timeout: 60_000, maxOutput: 1024, ...overrides } as AgentConfig;
}

const BASE_ARGV = [
  "claude",
  "-p",
  "--output-format",
  "stream-json",
  "--verbose",
  "--permission-mode",
  "acceptEdits",
  "--allowedTools",
  "Bash",
  "--no-session-persistence",
];

describe("adapter: claude, its command line", () => {
  it("runs print mode with stream-json, the prompt on stdin, edits and Bash allowed, and no limits when none are set", () => {
    const invocation = claude.invocation({ ...ctx, agent: agent() });

    expect(invocation.argv).toEqual(BASE_ARGV);
    expect(invocation.promptOnStdin).toBe(true);
    expect(invocation.env).toEqual({
      DISABLE_AUTOUPDATER: "1",
      DISABLE_TELEMETRY: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      CLAUDE_CODE_MAX_RETRIES: "3",
    });
    expect(invocation.files).toBeUndefined();
  });

  it("passes the model, the turn and budget limits, and the base URL when they are set", () => {
    const invocation = claude.invocation({
      ...ctx,
      agent: agent({
        model: "claude-sonnet-4-5",
        maxTurns: 40,
        maxBudgetUsd: 2.5,
        baseUrl: "https://llm-proxy.example.com",
      }),
    });

    expect(invocation.argv).toEqual([
      ...BASE_ARGV,
      "--model=claude-sonnet-4-5",
      "--max-turns=40",
      "--max-budget-usd=2.5",
    ]);
    expect(invocation.env?.ANTHROPIC_BASE_URL).toBe("https://llm-proxy.example.com");
  });

  it("keeps a model name that starts with a dash the model's value, not another flag", () => {
    expect(
      claude.invocation({ ...ctx, agent: agent({ model: "--dangerously-skip-permissions" }) }).argv,
    ).toContain("--model=--dangerously-skip-permissions");
  });

  it("installs the pinned CLI and needs the Anthropic API key", () => {
    expect(claude.install).toEqual({
      from: "npm",
      package: "@anthropic-ai/claude-code",
      version: "2.1.332",
      bin: "claude",
    });
    expect(claude.defaultSecrets).toEqual(["ANTHROPIC_API_KEY"]);
    expect(claude.enforces).toEqual({ maxTurns: true, maxBudgetUsd: true });
  });
});

describe("adapter: claude, reading its stream-json", () => {
  it("shows what the agent says and does, and takes summary, usage, cost and turns from the result", () => {
    const { events, report } = read(SUCCESS);

    expect(events).toEqual([
      { kind: "info", text: "Claude Code 2.1.332, model claude-sonnet-4-5" },
      { kind: "text", text: "I'll write the fix." },
      { kind: "tool", text: "Write /srv/worktrees/1/t7/fix.txt" },
      { kind: "tool", text: "Bash npm test…" },
      { kind: "text", text: "Fixed the bug in fix.txt; the tests pass." },
    ]);
    expect(report).toEqual({ summary: "Fixed the bug in fix.txt; the tests pass.", usage: SUCCESS_USAGE });
  });

  it("fails a result that says `subtype: success` but `is_error: true`, with its message", () => {
    const { events, report } = read(CONNECTION_REFUSED);

    expect(report.outcome).toEqual({
      kind: "agent-error",
      message: "API Error: Connection refused — a firewall or proxy may be blocking it (ECONNREFUSED)",
    });
    expect(report.usage).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0,
      turns: 1,
    });
    expect(events).toContainEqual({ kind: "info", text: "model API error unknown, retry 1 of 3" });
    expect(events).toContainEqual({
      kind: "error",
      text: "API Error: Connection refused — a firewall or proxy may be blocking it (ECONNREFUSED)",
    });
  });

  it("reports the turn limit as the limit that stopped the run, with the last thing the agent said", () => {
    const { report } = read(MAX_TURNS);

    expect(report.outcome).toEqual({
      kind: "limit",
      limit: "turns",
      message: "Claude Code stopped at its turn limit: Reached maximum number of turns (2).",
    });
    expect(report.summary).toBe("Looking at the tests first.");
    expect(report.usage).toMatchObject({ inputTokens: 200, outputTokens: 40, turns: 3 });
  });

  it("reports the budget as the limit that stopped the run, with the tokens modelUsage kept", () => {
    const { report } = read(MAX_BUDGET);

    expect(report.outcome).toEqual({
      kind: "limit",
      limit: "budget",
      message: "Claude Code stopped at its budget: Reached maximum budget ($0.05).",
    });
    expect(report.usage).toEqual({
      inputTokens: 20000,
      outputTokens: 20,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0.0603,
      turns: 1,
    });
  });

  // Not seen from 2.1.332 here (it needs a crash inside a turn); the shape is the SDK's documented result.
  it("fails an error_during_execution result with the errors it lists", () => {
    const { report } = read([
      init,
      result({
        subtype: "error_during_execution",
        is_error: true,
        num_turns: 0,
        total_cost_usd: 0,
        usage: apiUsage(0, 0),
        modelUsage: {},
        errors: ["Tool execution failed: spawn /bin/sh ENOENT"],
      }),
    ]);

    expect(report.outcome).toEqual({
      kind: "agent-error",
      message: "Tool execution failed: spawn /bin/sh ENOENT",
    });
  });

  it("without a result, sums usage from assistant messages (each once) and says the result is missing", () => {
    const { report } = read(SUCCESS.slice(0, -1));

    expect(report.usage).toEqual({
      inputTokens: 420,
      outputTokens: 3,
      cacheReadTokens: 50,
      cacheWriteTokens: 10,
    });
    expect(report.summary).toBe("Fixed the bug in fix.txt; the tests pass.");
    expect(report.outcome).toEqual({
      kind: "agent-error",
      message: "Claude Code ended without its result event",
    });
  });

  it("shows a denied tool call and a line that is not JSON, and ignores tool results", () => {
    const { events } = read([
      "Warning: something on stdout",
      line({
        type: "system",
        subtype: "permission_denied",
        tool_name: "WebFetch",
        tool_use_id: "toolu_4",
        message: "Claude requested permissions to use WebFetch, but you haven't granted it yet.",
      }),
      toolResult(
        "toolu_4",
        "Claude requested permissions to use WebFetch, but you haven't granted it yet.",
        true,
      ),
      "{not json",
    ]);

    expect(events).toEqual([
      { kind: "info", text: "Warning: something on stdout" },
      {
        kind: "error",
        text: "Claude requested permissions to use WebFetch, but you haven't granted it yet.",
      },
      { kind: "info", text: "{not json" },
    ]);
  });
});

const SECRETS = { ANTHROPIC_API_KEY: "sk-ant-test-0123456789abcdef0123456789abcdef" };

describeAdapterContract(
  "claude",
  {
    success: { stdout: SUCCESS, summary: "Fixed the bug in fix.txt; the tests pass.", usage: SUCCESS_USAGE },
    agentError: {
      stdout: CONNECTION_REFUSED,
      exit: 1,
      message: /exited with code 1: API Error: .*ECONNREFUSED/,
    },
    agent: { model: "claude-sonnet-4-5", maxTurns: 30, maxBudgetUsd: 5 },
  },
  SECRETS,
);

describe("adapter: claude, as the runner starts it", () => {
  const h = useHarness("claude", SECRETS);

  it("gets the prompt on stdin, its API key, its settings and a private HOME, and nothing else of the worker's", async () => {
    const record = join(h.tmp, "record.json");
    const result = await h.run(
      { record, stdout: SUCCESS },
      { baseUrl: "http://127.0.0.1:9" },
      { WORKER_ONLY: "x", OPENAI_API_KEY: "sk-other" },
    );
    const seen = JSON.parse(readFileSync(record, "utf8")) as {
      argv: string[];
      env: Record<string, string>;
      stdin: string;
    };

    expect(result.outcome).toEqual({ kind: "success" });
    expect(seen.argv).toEqual(BASE_ARGV.slice(1));
    expect(seen.stdin).toContain("Resolve issue #7");
    expect(seen.env).toMatchObject({
      ...SECRETS,
      ANTHROPIC_BASE_URL: "http://127.0.0.1:9",
      CLAUDE_CODE_MAX_RETRIES: "3",
      DISABLE_AUTOUPDATER: "1",
    });
    expect(seen.env.HOME?.startsWith(join(h.tmp, "tmp"))).toBe(true);
    expect(seen.env.WORKER_ONLY).toBeUndefined();
    expect(seen.env.OPENAI_API_KEY).toBeUndefined();
    expect(JSON.stringify(result)).not.toContain(SECRETS.ANTHROPIC_API_KEY);
  });
});
