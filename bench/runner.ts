/**
 * The runner's own costs, on this machine, with nothing leaving it:
 *
 *   1. redaction: the redactor over 4 MiB of stream-json-like agent output with three configured secrets;
 *   2. session overhead: runSession with an agent that does nothing (`true`), in a real worktree: private dir,
 *      prompt, environment, process group, changeset — what every run pays besides the agent itself;
 *   3. a real Claude Code task: the pinned CLI (npm test installs it) driven through two turns (write a file,
 *      then say done) by the scripted Anthropic endpoint, via runSession: what a run costs when the model
 *      answers at once, i.e. the CLI's own start-up and bookkeeping.
 *
 *   npm run bench:runner        (RUNS=20 CLAUDE_RUNS=5 by default)
 */

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentConfig } from "../src/app/config/schema.js";
import { createRedactor } from "../src/runner/redact.js";
import { runSession } from "../src/runner/run-session.js";
import { type Workspace, Workspaces } from "../src/runner/workspace.js";
import { realCliBinDir } from "../test/helpers/agent-clis.js";
import { startAnthropicEndpoint } from "../test/helpers/model-endpoints/anthropic.js";
import { createRepo } from "../test/runner/fixtures.js";
import { percentile } from "./measure.js";

const RUNS = Number(process.env.RUNS ?? 20);
const CLAUDE_RUNS = Number(process.env.CLAUDE_RUNS ?? 5);
const API_KEY = "sk-ant-bench-0123456789abcdef0123456789abcdef";

function summary(samples: number[]): { p50: number; p95: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) ?? Number.NaN };
}

const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;

/** 1. The redactor's throughput on output shaped like Claude Code's stream-json. */
function benchRedaction(): void {
  const secrets = [
    "sk-ant-api03-bench-secret-value-000000000000",
    "hunter2-but-longer",
    "AIzaSyBenchKey0000000000000000000000000",
  ];
  const line = JSON.stringify({
    type: "assistant",
    message: {
      content: [
        {
          type: "text",
          text: "Running the tests in src/widgets/ and reading package.json — all good so far. ".repeat(4),
        },
      ],
    },
  });
  const text = `${line}\n`.repeat(Math.ceil((4 * 1024 * 1024) / (line.length + 1)));
  const redact = createRedactor(secrets);
  const samples: number[] = [];
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    redact(text);
    samples.push(performance.now() - started);
  }
  const { p50 } = summary(samples);
  const mib = text.length / (1024 * 1024);
  console.log(
    `redaction: ${mib.toFixed(1)} MiB in ${ms(p50)} (median of 7) = ${(mib / (p50 / 1000)).toFixed(0)} MiB/s`,
  );
}

async function withWorkspace<T>(run: (workspace: Workspace, tmp: string) => Promise<T>): Promise<T> {
  const tmp = mkdtempSync(join(tmpdir(), "flotilla-bench-runner-"));
  mkdirSync(join(tmp, "tmp"));
  try {
    createRepo(join(tmp, "upstream"), { "README.md": "# widgets\n", "src/a.js": "export const a = 1;\n" });
    const workspaces = new Workspaces({ root: join(tmp, "root") });
    const workspace = await workspaces.open(
      { key: "1", url: `file://${join(tmp, "upstream")}` },
      { baseBranch: "main", branch: "flotilla/1-bench", name: "bench" },
    );
    try {
      return await run(workspace, tmp);
    } finally {
      await workspace.close();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const request = { issue: { number: 1, title: "Add hello.txt", body: "Write hello.txt saying hello." } };

/** 2. Everything runSession does around an agent that does nothing. */
async function benchOverhead(): Promise<void> {
  await withWorkspace(async (workspace, tmp) => {
    const agent = {
      adapter: "command",
      command: ["true"],
      timeout: 30_000,
      maxOutput: 1024 * 1024,
    } as AgentConfig;
    const total: number[] = [];
    const process_: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const result = await runSession({
        workspace: workspace.dir,
        baseSha: workspace.baseSha,
        agentName: "noop",
        agent,
        repo: "acme/widgets",
        request,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
        tmpRoot: join(tmp, "tmp"),
      });
      total.push(result.timings.durationMs);
      process_.push(result.timings.agentMs);
    }
    const t = summary(total);
    const p = summary(process_);
    console.log(
      `session overhead (agent \`true\`, n=${RUNS}): p50 ${ms(t.p50)}, p95 ${ms(t.p95)}; of which the process ${ms(p.p50)} p50`,
    );
  });
}

/** 3. The real Claude Code through one two-turn task against the scripted endpoint. */
async function benchClaude(): Promise<void> {
  const bin = realCliBinDir("claude");
  await withWorkspace(async (workspace, tmp) => {
    const total: number[] = [];
    for (let i = 0; i < CLAUDE_RUNS; i++) {
      const endpoint = await startAnthropicEndpoint({
        apiKey: API_KEY,
        turns: [
          {
            content: [
              {
                type: "tool_use",
                name: "Write",
                input: { file_path: join(workspace.dir, `hello-${i}.txt`), content: "hello\n" },
              },
            ],
            usage: { input_tokens: 1000, output_tokens: 30 },
          },
          { content: [{ type: "text", text: "Done." }], usage: { input_tokens: 1100, output_tokens: 5 } },
        ],
      });
      try {
        const result = await runSession({
          workspace: workspace.dir,
          baseSha: workspace.baseSha,
          agentName: "claude",
          agent: {
            adapter: "claude",
            baseUrl: endpoint.url,
            timeout: 90_000,
            maxOutput: 32 * 1024 * 1024,
          } as AgentConfig,
          repo: "acme/widgets",
          request,
          env: { PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`, ANTHROPIC_API_KEY: API_KEY },
          tmpRoot: join(tmp, "tmp"),
        });
        if (result.outcome.kind !== "success")
          throw new Error(`claude run ${i} ended ${JSON.stringify(result.outcome)}`);
        total.push(result.timings.durationMs);
      } finally {
        await endpoint.close();
      }
    }
    const t = summary(total);
    console.log(
      `real Claude Code, 2-turn task on the scripted endpoint (n=${CLAUDE_RUNS}): p50 ${ms(t.p50)}, max ${ms(t.max)}`,
    );
  });
}

benchRedaction();
await benchOverhead();
await benchClaude();
