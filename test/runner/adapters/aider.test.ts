import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import type { AgentConfig } from "../../../src/app/config/schema.js";
import { aider } from "../../../src/runner/adapters/aider.js";
import { describeAdapterContract, readOutput, useHarness } from "../adapter-contract.js";

/**
 * Transcripts in the shape aider 0.86 prints with `--no-pretty --no-stream`, put together from its source
 * (base_coder.py's usage report, exceptions.py's messages, main.py's banner): aider cannot be installed where
 * this was written (PyPI is out of reach), so these are not captured from a run.
 */
const BANNER = [
  "Aider v0.86.2",
  "Main model: anthropic/claude-sonnet-4-20250514 with diff edit format, infinite output",
  "Weak model: anthropic/claude-3-5-haiku-20241022",
  "Git repo: .git with 1 files",
  "Repo-map: using 4096 tokens, auto refresh",
  "",
];

const SUCCESS = [
  ...BANNER,
  "I'll create fix.txt with the fix.",
  "",
  "fix.txt",
  "```",
  "<<<<<<< SEARCH",
  "=======",
  "fixed",
  ">>>>>>> REPLACE",
  "```",
  "",
  "Tokens: 2.3k sent, 1.2k cache write, 150 received. Cost: $0.0092 message, $0.0092 session.",
  "",
  "Applied edit to fix.txt",
];

const AUTH_ERROR = [
  "litellm.AuthenticationError: AnthropicException - " +
    '{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}',
  "The API provider is not able to authenticate you. Check your API key.",
];

const ctx = {
  promptFile: "/tmp/flotilla-session-x/prompt.md",
  prompt: "Fix it.",
  workspace: "/srv/worktrees/1/t7",
  home: "/tmp/flotilla-session-x/home",
};

function agent(overrides: Partial<AgentConfig> = {}): AgentConfig {
  return { adapter: "aider", timeout: 60_000, maxOutput: 1024, ...overrides } as AgentConfig;
}

const invocation = (overrides: Partial<AgentConfig> = {}) =>
  aider.invocation({ ...ctx, agent: agent(overrides) });

const read = (lines: string[]) => readOutput(aider, lines);

describe("adapter: aider", () => {
  it("runs aider once on the prompt file, answering yes, plain, with no commits and no history in the repo", () => {
    const { argv, env, promptOnStdin } = invocation();

    expect(argv).toEqual([
      "aider",
      "--message-file=/tmp/flotilla-session-x/prompt.md",
      "--yes-always",
      "--no-analytics",
      "--no-check-update",
      "--no-show-release-notes",
      "--no-show-model-warnings",
      "--no-detect-urls",
      "--no-suggest-shell-commands",
      "--no-pretty",
      "--no-stream",
      "--no-fancy-input",
      "--no-auto-commits",
      "--no-dirty-commits",
      "--no-gitignore",
      "--chat-history-file=/tmp/flotilla-session-x/home/.aider.chat.history.md",
      "--input-history-file=/tmp/flotilla-session-x/home/.aider.input.history",
    ]);
    expect(env).toEqual({ BROWSER: "true" });
    expect(promptOnStdin).toBeUndefined();
  });

  it("asks for the agent's model, as one argument", () => {
    expect(invocation({ model: "openai/gpt-5.6" }).argv).toContain("--model=openai/gpt-5.6");
    expect(invocation({ model: "-h" }).argv).toContain("--model=-h");
    expect(invocation().argv.some((a) => a.startsWith("--model"))).toBe(false);
  });

  it("gives the base URL to both of LiteLLM's base settings: OpenAI-style models and Anthropic's", () => {
    const { argv, env } = invocation({ baseUrl: "http://127.0.0.1:4000" });

    expect(argv).toContain("--openai-api-base=http://127.0.0.1:4000");
    expect(env).toEqual({ BROWSER: "true", ANTHROPIC_API_BASE: "http://127.0.0.1:4000" });
    expect(invocation().argv.some((a) => a.startsWith("--openai-api-base"))).toBe(false);
  });

  it("has no flags for turn or budget limits, and says it enforces none", () => {
    expect(invocation({ maxTurns: 5, maxBudgetUsd: 2 })).toEqual(invocation());
    expect(aider.enforces).toEqual({ maxTurns: false, maxBudgetUsd: false });
  });

  it("is installed from PyPI at the version its flags were checked on, with Anthropic's key by default", () => {
    expect(aider.install).toEqual({ from: "pip", package: "aider-chat", version: "0.86.2", bin: "aider" });
    expect(aider.defaultSecrets).toEqual(["ANTHROPIC_API_KEY"]);
  });

  it("reads a run: its reply without the banner and code blocks as summary, usage from the Tokens line", () => {
    const { events, report } = read(SUCCESS);

    expect(events.filter((e) => e.kind !== "text")).toEqual([
      ...BANNER.filter(Boolean).map((text) => ({ kind: "info", text })),
      { kind: "info", text: expect.stringMatching(/^Tokens: 2\.3k sent/) },
      { kind: "tool", text: "Applied edit to fix.txt" },
    ]);
    expect(report).toEqual({
      summary: "I'll create fix.txt with the fix.\nfix.txt\nApplied edit to fix.txt",
      // 2.3k sent includes the 1.2k written to the cache.
      usage: { inputTokens: 1100, outputTokens: 150, cacheWriteTokens: 1200, costUsd: 0.0092, turns: 1 },
    });
  });

  it("sums tokens over messages, takes the session cost as the run's, and reads k and M counts", () => {
    const { report } = read([
      "Tokens: 15k sent, 10k cache hit, 1.5k received. Cost: $0.03 message, $0.03 session.",
      "Tokens: 1.2M sent, 900 received. Cost: $1.20 message, $1.23 session.",
    ]);

    expect(report.usage).toEqual({
      inputTokens: 5000 + 1_200_000,
      outputTokens: 2400,
      cacheReadTokens: 10_000,
      costUsd: 1.23,
      turns: 2,
    });
  });

  it("reads a usage line without a cost (a model aider has no prices for)", () => {
    expect(read(["Tokens: 812 sent, 20 received."]).report.usage).toEqual({
      inputTokens: 812,
      outputTokens: 20,
      turns: 1,
    });
  });

  it("takes the API error it ended on as the agent's error, though aider exits 0", () => {
    const { events, report } = read([...BANNER, ...AUTH_ERROR]);

    expect(events.slice(-2).map((e) => e.kind)).toEqual(["error", "error"]);
    expect(report.outcome).toEqual({
      kind: "agent-error",
      message: expect.stringMatching(
        /^litellm\.AuthenticationError: AnthropicException - .*invalid x-api-key.* \(The API provider is not able to authenticate you\. Check your API key\.\)$/,
      ),
    });
    expect(report.usage).toEqual({});
  });

  it("does not fail a run on an error aider retried past", () => {
    const { report } = read([
      "litellm.InternalServerError: AnthropicException - Overloaded",
      "The API provider's servers are down or overloaded.",
      "Retrying in 0.2 seconds...",
      ...SUCCESS.slice(BANNER.length),
    ]);

    expect(report.outcome).toBeUndefined();
    expect(report.usage.turns).toBe(1);
  });

  it("fails a run whose retries ran out, and one that filled the context window", () => {
    expect(
      read(["litellm.APIConnectionError: AnthropicException - [Errno 111] Connection refused"]).report
        .outcome,
    ).toEqual({
      kind: "agent-error",
      message: "litellm.APIConnectionError: AnthropicException - [Errno 111] Connection refused",
    });
    expect(read(["Model anthropic/claude-sonnet-4 has hit a token limit!"]).report.outcome).toMatchObject({
      kind: "agent-error",
    });
  });

  describe("in a session", () => {
    const h = useHarness("aider", { ANTHROPIC_API_KEY: "sk-ant-test-aider-contract-0123456789" });

    it("gets the prompt file, its key and the no-op browser, and runs in the workspace", async () => {
      const record = join(h.tmp, "record.json");
      await h.run({ record, stdout: SUCCESS });

      const seen = JSON.parse(readFileSync(record, "utf8")) as {
        argv: string[];
        env: Record<string, string>;
        cwd: string;
      };
      // The fake found its scenario in the file --message-file named: the prompt got there.
      const promptFile = seen.argv.find((a) => a.startsWith("--message-file="))?.split("=")[1] ?? "";
      expect(promptFile.endsWith("/prompt.md") && !promptFile.startsWith(h.workspace.dir)).toBe(true);
      expect(seen.env.ANTHROPIC_API_KEY).toBe("sk-ant-test-aider-contract-0123456789");
      expect(seen.env.BROWSER).toBe("true");
      expect(seen.cwd).toBe(h.workspace.dir);
      // The history files are in the session's HOME, outside the workspace.
      const history = seen.argv.find((a) => a.startsWith("--chat-history-file="))?.split("=")[1] ?? "";
      expect(history.startsWith(`${seen.env.HOME}/`)).toBe(true);
    });

    it("leaves its repository-map cache out of the changeset, and keeps the agent's own files", async () => {
      const result = await h.run({
        stdout: SUCCESS,
        write: {
          "fix.txt": "fixed\n",
          ".aider.tags.cache.v4/cache.db": "map",
          ".aider.tags.cache.v4/x/y": "map",
        },
      });

      expect(result.changeset.files.map((f) => f.path)).toEqual(["fix.txt"]);
    });
  });
});

describeAdapterContract(
  "aider",
  {
    success: {
      stdout: SUCCESS,
      summary: "I'll create fix.txt with the fix.\nfix.txt\nApplied edit to fix.txt",
      usage: { inputTokens: 1100, outputTokens: 150, cacheWriteTokens: 1200, costUsd: 0.0092, turns: 1 },
    },
    agentError: { stdout: [...BANNER, ...AUTH_ERROR], exit: 0, message: /AuthenticationError/ },
    agent: { model: "anthropic/claude-sonnet-4-20250514" },
  },
  { ANTHROPIC_API_KEY: "sk-ant-test-aider-contract-0123456789" },
);
