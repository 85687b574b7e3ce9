import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "@jest/globals";
import { readChangedFile } from "../../../src/runner/changeset.js";
import { closedPort, useRealCli } from "./real-cli.js";

/**
 * The pinned Gemini CLI (the adapter's `install`) run for real through runSession: its flags and settings are
 * accepted, its three attempts on a dead endpoint end the run in seconds, and a Gemini API stand-in on
 * loopback shows the base URL, the key, yolo approval (a file written) and the turn limit at work. The CLI
 * starts in two to four seconds here; the limits below are for a loaded machine.
 */

const API_KEY = "AIza-test-flotilla-gemini-0123456789abcdef";
const MODEL = "gemini-2.5-flash";

interface Recorded {
  method: string;
  path: string;
  key?: string;
}

interface GeminiEndpoint {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

/**
 * A stand-in for `models/{model}:streamGenerateContent?alt=sse`: a wrong key gets the API's 400
 * API_KEY_INVALID; otherwise each request gets the next scripted response (its parts and usage), streamed as
 * server-sent events.
 */
async function startGeminiEndpoint(
  apiKey: string,
  script: { parts: object[]; usage: object }[],
): Promise<GeminiEndpoint> {
  const requests: Recorded[] = [];
  const drain = (req: IncomingMessage) =>
    new Promise<void>((resolve) => {
      req.on("data", () => undefined);
      req.on("end", () => resolve());
    });
  const server: Server = createServer(async (req, res) => {
    await drain(req);
    const key = req.headers["x-goog-api-key"];
    requests.push({
      method: req.method ?? "",
      path: req.url ?? "",
      ...(typeof key === "string" ? { key } : {}),
    });
    if (key !== apiKey) {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          error: {
            code: 400,
            message: "API key not valid. Please pass a valid API key.",
            status: "INVALID_ARGUMENT",
            details: [
              {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                reason: "API_KEY_INVALID",
                domain: "googleapis.com",
              },
            ],
          },
        }),
      );
      return;
    }
    const next = script.shift();
    if (!next || !req.url?.includes(":streamGenerateContent")) {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: 500, message: "unscripted", status: "INTERNAL" } }));
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(
      `data: ${JSON.stringify({
        candidates: [{ content: { role: "model", parts: next.parts }, finishReason: "STOP", index: 0 }],
        usageMetadata: next.usage,
        modelVersion: MODEL,
      })}\n\n`,
    );
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("the real Gemini CLI", () => {
  const cli = useRealCli("gemini", { env: { GEMINI_API_KEY: API_KEY } });
  const { run } = cli;
  let endpoint: GeminiEndpoint | undefined;

  afterEach(async () => {
    await endpoint?.close();
    endpoint = undefined;
  });

  it("accepts the adapter's whole command line: with no API to reach it fails on the connection, not on a flag", async () => {
    const port = await closedPort();
    const result = await run({ model: MODEL, maxTurns: 5, baseUrl: `http://127.0.0.1:${port}` });

    expect(result.outcome.kind).toBe("agent-error");
    expect(result.outcome.kind === "agent-error" && result.outcome.message).toMatch(
      /exited with code 1: Gemini API error: .*fetch failed/,
    );
    expect(result.log).toContain(`Gemini CLI, model ${MODEL}`);
    // Three attempts, not its default ten.
    expect(result.log).toContain("Attempt 2 failed");
    expect(result.log).not.toContain("Attempt 3 failed");
    expect(result.process.output).not.toMatch(/Unknown argument|Invalid values|Usage: gemini|not trusted/i);
    expect(result.process.durationMs).toBeLessThan(60_000);
    expect(JSON.stringify(result)).not.toContain(API_KEY);
  }, 120_000);

  it("sends its key to the base URL, and fails with the API's own word when the key is refused", async () => {
    endpoint = await startGeminiEndpoint("AIza-another-key", []);

    const result = await run({ model: MODEL, baseUrl: endpoint.url });

    expect(result.outcome).toEqual({
      kind: "agent-error",
      message: expect.stringMatching(/Gemini API error: API key not valid/),
    });
    // Refused at once (a 400 is not retried), after one request that carried the agent's key.
    expect(endpoint.requests).toHaveLength(1);
    expect(endpoint.requests[0]).toMatchObject({
      method: "POST",
      path: `/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`,
      key: API_KEY,
    });
    expect(result.changeset.files).toEqual([]);
  }, 120_000);

  it("writes the file the model asks for without asking anyone, and stops at its turn limit", async () => {
    const content = "hello from the scripted model\n";
    endpoint = await startGeminiEndpoint(API_KEY, [
      {
        parts: [
          { text: "I'll create hello.txt." },
          { functionCall: { name: "write_file", args: { file_path: "hello.txt", content } } },
        ],
        usage: {
          promptTokenCount: 1200,
          candidatesTokenCount: 30,
          totalTokenCount: 1230,
          cachedContentTokenCount: 200,
        },
      },
      // Never asked for: the second turn is past maxTurns.
      {
        parts: [{ text: "Done." }],
        usage: { promptTokenCount: 1300, candidatesTokenCount: 5, totalTokenCount: 1305 },
      },
    ]);
    const result = await run({ model: MODEL, maxTurns: 1, baseUrl: endpoint.url });

    expect(result.outcome).toEqual({
      kind: "limit",
      limit: "turns",
      message: expect.stringMatching(/^Gemini CLI stopped at its turn limit: Reached max session turns/),
    });
    expect(result.process.exitCode).toBe(53);
    expect(result.changeset.files.map((f) => [f.path, f.status])).toEqual([["hello.txt", "added"]]);
    const [file] = result.changeset.files;
    expect(file && (await readChangedFile(cli.workspace.dir, file)).toString("utf8")).toBe(content);
    expect(result.usage).toEqual({ inputTokens: 1000, cacheReadTokens: 200, outputTokens: 30, turns: 1 });
    expect(result.log).toContain("I'll create hello.txt.\nwrite_file hello.txt");
    expect(endpoint.requests.filter((r) => r.path.includes(":streamGenerateContent"))).toHaveLength(1);
    expect(JSON.stringify(result)).not.toContain(API_KEY);
  }, 120_000);
});
