import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "@jest/globals";
import { readChangedFile } from "../../../src/runner/changeset.js";
import { closedPort, useRealCli } from "./real-cli.js";

/**
 * The pinned Codex CLI (the adapter's `install`) run for real through runSession, against a scripted OpenAI
 * Responses API on loopback: its flags and `-c` settings are accepted (`--strict-config` refuses unknown
 * keys), a task comes back with its file, summary and usage, and a failing API ends the run in seconds.
 * Codex starts in about a second here; the limits below are for a loaded machine.
 */

const API_KEY = "sk-test-flotilla-codex-0123456789abcdef0123456789abcdef";
const MODEL = "gpt-5.6-codex";

interface Recorded {
  method: string;
  path: string;
  authorization?: string;
  body?: Record<string, unknown>;
}

interface ScriptedResponse {
  output: object[];
  usage: object;
}

interface ResponsesEndpoint {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

/**
 * A stand-in for `POST /v1/responses`: each request with the right key gets the next scripted response as
 * the API streams it (server-sent events); a wrong key gets 401, and `status` answers every request with
 * that error instead.
 */
async function startResponsesEndpoint(options: {
  responses?: ScriptedResponse[];
  status?: number;
}): Promise<ResponsesEndpoint> {
  const requests: Recorded[] = [];
  const script = [...(options.responses ?? [])];
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let text = "";
      req.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8");
      });
      req.on("end", () => resolve(text));
    });
  const server: Server = createServer(async (req, res) => {
    const text = await read(req);
    const record: Recorded = { method: req.method ?? "", path: req.url ?? "" };
    if (req.headers.authorization) record.authorization = req.headers.authorization;
    if (text.startsWith("{")) record.body = JSON.parse(text) as Record<string, unknown>;
    requests.push(record);
    const fail = (status: number, message: string) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message, type: "invalid_request_error" } }));
    };
    if (req.method !== "POST" || !req.url?.endsWith("/responses")) return fail(404, "not found");
    if (req.headers.authorization !== `Bearer ${API_KEY}`) return fail(401, "Incorrect API key provided");
    if (options.status) return fail(options.status, "the scripted endpoint is failing");
    const next = script.shift();
    if (!next) return fail(400, "no more scripted responses");
    const id = `resp_${requests.length}`;
    res.writeHead(200, { "content-type": "text/event-stream" });
    const send = (event: Record<string, unknown>) =>
      res.write(`event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`);
    send({ type: "response.created", response: { id } });
    for (const item of next.output) send({ type: "response.output_item.done", item });
    send({ type: "response.completed", response: { id, usage: next.usage } });
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What a command-line or config mistake looks like in 0.171.0: clap's and the config loader's errors. */
const ARGUMENT_ERROR = /unexpected argument|invalid value|Error loading config|unknown configuration field/i;

describe("the real Codex CLI", () => {
  const cli = useRealCli("codex", { env: { OPENAI_API_KEY: API_KEY } });
  const { run } = cli;
  let endpoint: ResponsesEndpoint | undefined;

  afterEach(async () => {
    await endpoint?.close();
    endpoint = undefined;
  });

  it("accepts the adapter's whole command line: with no API to reach it waits on the connection, not on a flag", async () => {
    const port = await closedPort();
    const result = await run({ model: MODEL, baseUrl: `http://127.0.0.1:${port}/v1`, timeout: 6_000 });

    // 0.171.0 waits for the network without end when a connection is refused: the runner's timeout ends it.
    expect(result.outcome).toMatchObject({ kind: "limit", limit: "time" });
    expect(result.log).toMatch(/Reconnecting\.\.\. waiting for network \(Connection failed/);
    expect(result.process.output).not.toMatch(ARGUMENT_ERROR);
    expect(JSON.stringify(result)).not.toContain(API_KEY);
  }, 60_000);

  it("does a task the scripted API leads it through: the file, the summary and the usage come back", async () => {
    const done = "Wrote hello.txt with the greeting.";
    endpoint = await startResponsesEndpoint({
      responses: [
        {
          output: [
            {
              type: "function_call",
              name: "exec_command",
              call_id: "call_1",
              arguments: JSON.stringify({ cmd: "printf 'hello\\n' > hello.txt && env" }),
            },
          ],
          usage: {
            input_tokens: 1000,
            input_tokens_details: { cached_tokens: 200 },
            output_tokens: 50,
            total_tokens: 1050,
          },
        },
        {
          output: [
            {
              type: "message",
              id: "msg_2",
              role: "assistant",
              content: [{ type: "output_text", text: done }],
            },
          ],
          usage: {
            input_tokens: 1500,
            input_tokens_details: { cached_tokens: 1000 },
            output_tokens: 20,
            total_tokens: 1520,
          },
        },
      ],
    });

    const result = await run({ model: MODEL, baseUrl: endpoint.url });

    expect(result.outcome).toEqual({ kind: "success" });
    expect(result.changeset.files.map((f) => [f.path, f.status])).toEqual([["hello.txt", "added"]]);
    const [file] = result.changeset.files;
    expect(file && (await readChangedFile(cli.workspace.dir, file)).toString("utf8")).toBe("hello\n");
    expect(result.summary).toBe(done);
    // Codex sums a turn's model calls into one turn.completed; the cached tokens come out of the input.
    expect(result.usage).toEqual({
      inputTokens: 1300,
      cacheReadTokens: 1200,
      cacheWriteTokens: 0,
      outputTokens: 70,
      turns: 1,
    });
    expect(result.log).toContain("$ /bin/bash -lc");
    expect(endpoint.requests.map((r) => [r.method, r.path, r.authorization, r.body?.model])).toEqual([
      ["POST", "/v1/responses", `Bearer ${API_KEY}`, MODEL],
      ["POST", "/v1/responses", `Bearer ${API_KEY}`, MODEL],
    ]);
    // The prompt came in on stdin; the web search tool is off.
    const first = JSON.stringify(endpoint.requests[0]?.body?.input);
    expect(first).toContain("Add hello.txt");
    const tools = ((endpoint.requests[0]?.body?.tools ?? []) as { name?: string; type?: string }[]).map(
      (t) => t.name ?? t.type,
    );
    expect(tools).toContain("exec_command");
    expect(tools).not.toContain("web_search");
    // The command ran in Codex's sandbox (no network), and without the API key in its environment.
    const output = JSON.stringify(endpoint.requests[1]?.body?.input);
    expect(output).toContain("function_call_output");
    expect(output).toContain("CODEX_SANDBOX_NETWORK_DISABLED=1");
    expect(output).not.toContain("OPENAI_API_KEY");
    expect(JSON.stringify(result)).not.toContain(API_KEY);
  }, 120_000);

  it("fails in seconds on an API that keeps answering 500: bounded retries, then the API's error", async () => {
    endpoint = await startResponsesEndpoint({ status: 500 });

    const result = await run({ model: MODEL, baseUrl: endpoint.url });

    expect(result.outcome.kind).toBe("agent-error");
    expect(result.process.exitCode).toBe(1);
    expect(result.process.durationMs).toBeLessThan(20_000);
    // Three stream attempts of three requests each (2 + 2 retries), all over HTTP: no WebSocket upgrades.
    expect(endpoint.requests).toHaveLength(9);
    expect(endpoint.requests.every((r) => r.method === "POST" && r.path === "/v1/responses")).toBe(true);
    expect(result.log).toContain("Reconnecting... 2/2");
    expect(result.changeset.files).toEqual([]);
  }, 60_000);

  it("sends the key the agent's secrets name, and fails with the API's own word when it is refused", async () => {
    endpoint = await startResponsesEndpoint({});

    const result = await run(
      { model: MODEL, baseUrl: endpoint.url, secrets: ["GATEWAY_KEY"] },
      { GATEWAY_KEY: "sk-test-another-key" },
    );

    expect(result.outcome.kind).toBe("agent-error");
    expect(result.outcome.kind === "agent-error" && result.outcome.message).toMatch(/401 Unauthorized/);
    expect(endpoint.requests.length).toBeGreaterThan(0);
    expect(endpoint.requests.every((r) => r.authorization === "Bearer sk-test-another-key")).toBe(true);
    expect(JSON.stringify(result)).not.toContain("sk-test-another-key");
  }, 60_000);
});
