import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "@jest/globals";
import { readChangedFile } from "../../../src/runner/changeset.js";
import type { RunBundle } from "../../../src/runner/result-bundle.js";
import { flotillaRunner } from "../../helpers/flotilla-runner.js";
import { type AnthropicEndpoint, startAnthropicEndpoint } from "../../helpers/model-endpoints/anthropic.js";
import { closedPort, useRealCli } from "./real-cli.js";

/**
 * The pinned Claude Code (the adapter's `install`) run for real through runSession: its flags are accepted,
 * and a scripted Anthropic endpoint drives it through a task whose file, summary and usage come back.
 * Claude Code starts in one to two seconds here; the limits below are for a loaded machine, not for sleeps.
 */

const API_KEY = "sk-ant-test-flotilla-0123456789abcdef0123456789abcdef";
const MODEL = "claude-sonnet-4-5";

describe("the real Claude Code CLI", () => {
  const cli = useRealCli("claude", { env: { ANTHROPIC_API_KEY: API_KEY } });
  const { run } = cli;
  let endpoint: AnthropicEndpoint | undefined;

  afterEach(async () => {
    await endpoint?.close();
    endpoint = undefined;
  });

  it("accepts the adapter's whole command line: with no API to reach it fails on the connection, not on a flag", async () => {
    const port = await closedPort();
    const result = await run({
      model: MODEL,
      maxTurns: 5,
      maxBudgetUsd: 0.5,
      baseUrl: `http://127.0.0.1:${port}`,
    });

    expect(result.outcome.kind).toBe("agent-error");
    expect(result.outcome.kind === "agent-error" && result.outcome.message).toMatch(/ECONNREFUSED/);
    expect(result.log).toContain(`Claude Code 2.1.332, model ${MODEL}`);
    expect(result.process.output).not.toMatch(/unknown option|error: option|invalid argument/i);
    expect(JSON.stringify(result)).not.toContain(API_KEY);
  }, 120_000);

  it("does a task the scripted endpoint leads it through: the file, the summary and the usage come back", async () => {
    const content = "hello from the scripted model\n";
    const done = "Wrote hello.txt with the greeting.";
    endpoint = await startAnthropicEndpoint({
      apiKey: API_KEY,
      turns: [
        {
          content: [
            { type: "text", text: "I'll create hello.txt." },
            {
              type: "tool_use",
              name: "Write",
              input: { file_path: join(cli.workspace.dir, "hello.txt"), content },
            },
          ],
          usage: {
            input_tokens: 1200,
            output_tokens: 40,
            cache_read_input_tokens: 300,
            cache_creation_input_tokens: 90,
          },
        },
        { content: [{ type: "text", text: done }], usage: { input_tokens: 1350, output_tokens: 12 } },
      ],
    });

    const result = await run({ model: MODEL, maxTurns: 10, maxBudgetUsd: 1, baseUrl: endpoint.url });

    expect(result.outcome).toEqual({ kind: "success" });
    expect(result.changeset.files.map((f) => [f.path, f.status])).toEqual([["hello.txt", "added"]]);
    const [file] = result.changeset.files;
    expect(file && (await readChangedFile(cli.workspace.dir, file)).toString("utf8")).toBe(content);
    expect(result.summary).toBe(done);
    const { costUsd, ...usage } = result.usage;
    expect(usage).toEqual({ ...endpoint.reportedUsage(), turns: 2 });
    expect(costUsd).toBeGreaterThan(0);
    // It asked for nothing but the two turns: no count_tokens, no side calls, no unscripted requests.
    expect(endpoint.requests.map((r) => [r.kind, r.model])).toEqual([
      ["turn", MODEL],
      ["turn", MODEL],
    ]);
    expect(endpoint.requests[1]?.toolResults).toEqual([
      expect.objectContaining({ isError: false, text: expect.stringContaining("hello.txt") }),
    ]);
    expect(result.log).toContain("Write ");
    expect(JSON.stringify(result)).not.toContain(API_KEY);
  }, 120_000);

  it("fails with the API's own word when the endpoint refuses its key, and changes nothing", async () => {
    endpoint = await startAnthropicEndpoint({ apiKey: "sk-ant-test-another-key", turns: [] });

    const result = await run({ model: MODEL, baseUrl: endpoint.url });

    expect(result.outcome.kind).toBe("agent-error");
    expect(result.outcome.kind === "agent-error" && result.outcome.message).toMatch(/Invalid API key/);
    expect(endpoint.requests.length).toBeGreaterThan(0);
    expect(endpoint.requests.every((r) => r.kind === "unauthorized")).toBe(true);
    expect(result.changeset.files).toEqual([]);
    expect(JSON.stringify(result)).not.toContain(API_KEY);
  }, 120_000);

  it("flotilla-runner --task --out: the changeset holds the file the model asked for, and the usage it reported", async () => {
    const content = "hello through flotilla-runner\n";
    endpoint = await startAnthropicEndpoint({
      apiKey: API_KEY,
      turns: [
        {
          content: [
            {
              type: "tool_use",
              name: "Write",
              input: { file_path: join(cli.workspace.dir, "hello.txt"), content },
            },
          ],
          usage: { input_tokens: 2100, output_tokens: 55, cache_read_input_tokens: 700 },
        },
        {
          content: [{ type: "text", text: "Added hello.txt." }],
          usage: { input_tokens: 2300, output_tokens: 9 },
        },
      ],
    });
    const task = join(cli.tmp, "task.json");
    writeFileSync(
      task,
      JSON.stringify({
        version: 1,
        repo: "acme/widgets",
        agentName: "claude",
        agent: {
          adapter: "claude",
          model: MODEL,
          baseUrl: endpoint.url,
          timeout: 90_000,
          maxOutput: 32 * 1024 * 1024,
        },
        request: { issue: { number: 7, title: "Add hello.txt", body: "Write hello.txt saying hello." } },
      }),
    );
    const out = join(cli.tmp, "out");

    // In the checkout, as the Actions job runs it: the workspace is the current directory.
    const { code, stderr } = await flotillaRunner(["--task", task, "--out", out], {
      cwd: cli.workspace.dir,
      env: {
        PATH: `${cli.bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
        ANTHROPIC_API_KEY: API_KEY,
        TMPDIR: join(cli.tmp, "tmp"),
      },
      timeoutMs: 110_000,
    });

    expect({ code, stderr }).toEqual({
      code: 0,
      stderr: expect.stringContaining("flotilla-runner: success; 1 changed files"),
    });
    const text = readFileSync(join(out, "result.json"), "utf8");
    const bundle = JSON.parse(text) as RunBundle;
    expect(bundle.outcome).toEqual({ kind: "success" });
    expect(bundle.summary).toBe("Added hello.txt.");
    const [file] = bundle.changeset.files;
    expect(bundle.changeset.files.map((f) => f.path)).toEqual(["hello.txt"]);
    expect(file?.content && readFileSync(join(out, file.content), "utf8")).toBe(content);
    const { costUsd, ...usage } = bundle.usage;
    expect(usage).toEqual({ ...endpoint.reportedUsage(), turns: 2 });
    expect(costUsd).toBeGreaterThan(0);
    expect(text).not.toContain(API_KEY);
    expect(stderr).not.toContain(API_KEY);
  }, 120_000);
});
