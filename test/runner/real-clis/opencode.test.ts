import { join } from "node:path";
import { afterEach, describe, expect, it } from "@jest/globals";
import type { AgentConfig } from "../../../src/app/config/schema.js";
import { readChangedFile } from "../../../src/runner/changeset.js";
import { type OpenAIEndpoint, startOpenAIEndpoint } from "../../helpers/model-endpoints/openai.js";
import { closedPort, useRealCli } from "./real-cli.js";

/**
 * The pinned OpenCode (the adapter's `install`) run for real through runSession: its flags and inline config
 * are accepted, and a scripted OpenAI-compatible endpoint drives it through a task whose file, summary and
 * usage come back. The repository configures the endpoint's provider itself, in its own opencode.json, as a
 * repository that uses a gateway or a local model would; `@ai-sdk/openai-compatible` is bundled in the
 * binary, so nothing is fetched at run time. OpenCode starts in about three seconds here.
 */

const API_KEY = "sk-test-flotilla-opencode-0123456789abcdef";
const PRICES = { input: 3, output: 15, cache_read: 0.3 };

/** The repository's own provider: the endpoint's API, the key from the agent's secret, a price list. */
const PROJECT_CONFIG = {
  $schema: "https://opencode.ai/config.json",
  provider: {
    scripted: {
      npm: "@ai-sdk/openai-compatible",
      name: "Scripted endpoint",
      options: { apiKey: "{env:SCRIPTED_API_KEY}" },
      models: { "scripted-1": { name: "Scripted 1", cost: PRICES } },
    },
  },
};

describe("the real OpenCode CLI", () => {
  const cli = useRealCli("opencode", {
    files: {
      "README.md": "# widgets\n",
      "opencode.json": `${JSON.stringify(PROJECT_CONFIG, null, 2)}\n`,
    },
    timeout: 120_000,
  });
  const { run } = cli;
  let endpoint: OpenAIEndpoint | undefined;

  afterEach(async () => {
    await endpoint?.close();
    endpoint = undefined;
  });

  const scripted = (baseUrl: string): Partial<AgentConfig> => ({
    model: "scripted/scripted-1",
    baseUrl,
    secrets: ["SCRIPTED_API_KEY"],
  });

  // OpenCode 1.18.33 retries a refused connection five times (2 s doubling, about a minute), and that is not
  // configurable: this test waits it out.
  it("accepts the adapter's whole command line: with no API to reach it fails on the connection, not on a flag", async () => {
    const port = await closedPort();
    const result = await run(
      { model: "anthropic/claude-sonnet-4-5", maxTurns: 5, baseUrl: `http://127.0.0.1:${port}/v1` },
      { ANTHROPIC_API_KEY: API_KEY },
    );

    expect(result.outcome).toEqual({
      kind: "agent-error",
      message: expect.stringMatching(
        new RegExp(
          `exited with code 1: Cannot connect to API: .* \\(from http://127\\.0\\.0\\.1:${port}/v1/messages\\)$`,
        ),
      ),
    });
    // Each failed attempt is in the log as it happens (stderr at ERROR level): the first and five retries.
    expect(
      result.log.match(/message="stream error" providerID=anthropic modelID=claude-sonnet-4-5 /g),
    ).toHaveLength(6);
    expect(result.process.output).not.toMatch(
      /Unknown argument|Not enough arguments|opencode run \[message/i,
    );
    expect(JSON.stringify(result)).not.toContain(API_KEY);
  }, 150_000);

  it("fails with the API's own word when the endpoint refuses its key, and changes nothing", async () => {
    endpoint = await startOpenAIEndpoint({ apiKey: "sk-test-another-key", turns: [] });

    const result = await run(scripted(endpoint.url), { SCRIPTED_API_KEY: API_KEY });

    expect(result.outcome).toEqual({
      kind: "agent-error",
      message: expect.stringContaining(
        `Incorrect API key provided. (HTTP 401 from ${endpoint.url}/chat/completions)`,
      ),
    });
    expect(endpoint.requests.map((r) => r.kind)).toEqual(["unauthorized"]);
    expect(result.changeset.files).toEqual([]);
    expect(JSON.stringify(result)).not.toContain(API_KEY);
  }, 120_000);

  it("does a task the scripted endpoint leads it through: the file, the summary, the usage and its cost come back", async () => {
    const content = "hello from the scripted model\n";
    const done = "Wrote hello.txt with the greeting.";
    endpoint = await startOpenAIEndpoint({
      apiKey: API_KEY,
      turns: [
        {
          text: "I'll create hello.txt.",
          toolCalls: [
            { name: "write", arguments: { filePath: join(cli.workspace.dir, "hello.txt"), content } },
          ],
          usage: { prompt_tokens: 1200, completion_tokens: 40, cached_tokens: 300 },
        },
        { text: done, usage: { prompt_tokens: 1350, completion_tokens: 12 } },
      ],
    });

    const result = await run({ ...scripted(endpoint.url), maxTurns: 10 }, { SCRIPTED_API_KEY: API_KEY });

    expect(result.outcome).toEqual({ kind: "success" });
    expect(result.changeset.files.map((f) => [f.path, f.status])).toEqual([["hello.txt", "added"]]);
    const [file] = result.changeset.files;
    expect(file && (await readChangedFile(cli.workspace.dir, file)).toString("utf8")).toBe(content);
    expect(result.summary).toBe(done);
    const { costUsd, ...usage } = result.usage;
    expect(usage).toEqual({ ...endpoint.reportedUsage(), cacheWriteTokens: 0, turns: 2 });
    // Priced by OpenCode from the repository's price list (USD per million tokens).
    const expected =
      ((1200 - 300 + 1350) * PRICES.input + (40 + 12) * PRICES.output + 300 * PRICES.cache_read) / 1e6;
    expect(costUsd).toBeCloseTo(expected, 9);
    // Two turns and nothing else: no title call (--title), no side calls, streamed with the usage chunk.
    expect(endpoint.requests.map((r) => [r.kind, r.model, r.stream, r.includeUsage])).toEqual([
      ["turn", "scripted-1", true, true],
      ["turn", "scripted-1", true, true],
    ]);
    expect(endpoint.requests[0]?.tools).toEqual(expect.arrayContaining(["bash", "edit", "write"]));
    expect(endpoint.requests[1]?.toolResults).toEqual([
      { toolCallId: "call_1_0", content: expect.stringContaining("Wrote file successfully") },
    ]);
    expect(result.log).toContain(`write ${join(cli.workspace.dir, "hello.txt")}`);
    expect(JSON.stringify(result)).not.toContain(API_KEY);
  }, 120_000);
});
