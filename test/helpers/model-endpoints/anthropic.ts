import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Usage } from "../../../src/runner/adapters/adapter.js";
import { readBody, sendJson as sendJsonAs } from "./http.js";

/**
 * A scripted stand-in for the Anthropic Messages API on loopback, for driving a real CLI (Claude Code)
 * through a task without a network or a model. Each agent request (one with `tools`, as an agent loop sends)
 * gets the next scripted turn, streamed as the real API streams it (SSE: message_start, ping, content blocks
 * with text_delta / input_json_delta, message_delta, message_stop); requests without tools (a CLI's side
 * calls: titles, quota checks) get a short canned answer and do not use up the script. Everything is
 * recorded, and the usage the endpoint reported is totalled, so a test can compare what the CLI says it
 * spent with what it was told.
 */

export type ScriptedBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; name: string; input: Record<string, unknown>; id?: string };

export interface ScriptedTurn {
  content: ScriptedBlock[];
  usage: {
    input_tokens: number;
    output_tokens: number;
    cache_read_input_tokens?: number;
    cache_creation_input_tokens?: number;
  };
}

export interface ToolResult {
  toolUseId: string;
  isError: boolean;
  /** The result's text (text blocks joined). */
  text: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** `turn`: answered from the script; `side`: a request without tools; the rest by path. */
  kind: "turn" | "side" | "count_tokens" | "hello" | "unauthorized" | "unscripted" | "not-found";
  model?: string;
  stream?: boolean;
  /** The conversation as sent (the last user message carries the tool results). */
  messages?: unknown[];
  /** Tool results in the request's last message: what the CLI's tools did with the previous turn. */
  toolResults: ToolResult[];
  /** The tool names the request offered. */
  tools: string[];
}

export interface AnthropicEndpoint {
  /** For ANTHROPIC_BASE_URL (no trailing slash, no /v1). */
  url: string;
  requests: RecordedRequest[];
  /** What the endpoint reported over all scripted turns, in Flotilla's terms. */
  reportedUsage(): Required<
    Pick<Usage, "inputTokens" | "outputTokens" | "cacheReadTokens" | "cacheWriteTokens">
  >;
  /** Scripted turns answered so far. */
  turnsServed(): number;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendJsonAs(res, status, body, "request-id");
}

function apiError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, { type: "error", error: { type, message } });
}

function toolResults(messages: unknown[]): ToolResult[] {
  const last = messages.at(-1) as Json | undefined;
  if (last?.role !== "user" || !Array.isArray(last.content)) return [];
  return (last.content as Json[])
    .filter((block) => block.type === "tool_result")
    .map((block) => ({
      toolUseId: String(block.tool_use_id),
      isError: block.is_error === true,
      text:
        typeof block.content === "string"
          ? block.content
          : Array.isArray(block.content)
            ? (block.content as Json[])
                .map((part) => (typeof part.text === "string" ? part.text : ""))
                .join("")
            : "",
    }));
}

type ApiBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

interface ApiMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: ApiBlock[];
  stop_reason: "tool_use" | "end_turn";
  stop_sequence: null;
}

/** The turn's blocks as the API returns them: tool uses get ids, and the stop reason follows from them. */
function assistantMessage(id: string, model: string, turn: ScriptedTurn, n: number): ApiMessage {
  const content = turn.content.map(
    (block, i): ApiBlock =>
      block.type === "text"
        ? { type: "text", text: block.text }
        : { type: "tool_use", id: block.id ?? `toolu_${n}_${i}`, name: block.name, input: block.input },
  );
  const stopReason = content.some((block) => block.type === "tool_use") ? "tool_use" : "end_turn";
  return {
    id,
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
  };
}

/** Streams a message the way the API does; the output count in message_delta is cumulative, as the API's is. */
function stream(res: ServerResponse, message: ApiMessage, usage: ScriptedTurn["usage"]): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const send = (type: string, data: Json) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  send("message_start", {
    message: {
      ...message,
      content: [],
      stop_reason: null,
      usage: {
        input_tokens: usage.input_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
        cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
        output_tokens: Math.min(1, usage.output_tokens),
      },
    },
  });
  send("ping", {});
  message.content.forEach((block, index) => {
    if (block.type === "text") {
      send("content_block_start", { index, content_block: { type: "text", text: "" } });
      // Two deltas, so a client that keeps only the last one shows up in the tests.
      const half = Math.ceil(block.text.length / 2);
      for (const text of [block.text.slice(0, half), block.text.slice(half)]) {
        if (text) send("content_block_delta", { index, delta: { type: "text_delta", text } });
      }
    } else {
      send("content_block_start", {
        index,
        content_block: { type: "tool_use", id: block.id, name: block.name, input: {} },
      });
      const json = JSON.stringify(block.input);
      const cut = Math.ceil(json.length / 2);
      for (const partial_json of [json.slice(0, cut), json.slice(cut)]) {
        send("content_block_delta", { index, delta: { type: "input_json_delta", partial_json } });
      }
    }
    send("content_block_stop", { index });
  });
  send("message_delta", {
    delta: { stop_reason: message.stop_reason, stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  send("message_stop", {});
  res.end();
}

/**
 * Starts the endpoint on a free loopback port. Requests to /v1/* must carry `x-api-key: apiKey` (401
 * otherwise, as the API answers). A request past the end of the script gets a 500 `api_error`, recorded as
 * `unscripted`, so a CLI that asks more than the test expected fails instead of hanging.
 */
export async function startAnthropicEndpoint(options: {
  apiKey: string;
  turns: ScriptedTurn[];
}): Promise<AnthropicEndpoint> {
  const requests: RecordedRequest[] = [];
  const total = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
  let served = 0;
  let n = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const text = await readBody(req);
    const record = (kind: RecordedRequest["kind"], body?: Json) => {
      const messages = Array.isArray(body?.messages) ? (body.messages as unknown[]) : undefined;
      requests.push({
        method: req.method ?? "GET",
        path,
        kind,
        ...(typeof body?.model === "string" ? { model: body.model } : {}),
        ...(typeof body?.stream === "boolean" ? { stream: body.stream } : {}),
        ...(messages ? { messages } : {}),
        toolResults: messages ? toolResults(messages) : [],
        tools: Array.isArray(body?.tools) ? (body.tools as Json[]).map((tool) => String(tool.name)) : [],
      });
    };
    // Claude Code's connectivity check (skipped under CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC); no key sent.
    if (path === "/api/hello") {
      record("hello");
      res.writeHead(200).end();
      return;
    }
    if (!path.startsWith("/v1/")) {
      record("not-found");
      apiError(res, 404, "not_found_error", `Not found: ${path}`);
      return;
    }
    let body: Json | undefined;
    try {
      body = JSON.parse(text) as Json;
    } catch {
      body = undefined;
    }
    if (req.headers["x-api-key"] !== options.apiKey) {
      record("unauthorized", body);
      apiError(res, 401, "authentication_error", "invalid x-api-key");
      return;
    }
    if (req.method === "POST" && path === "/v1/messages/count_tokens") {
      record("count_tokens", body);
      // An estimate (about four characters a token) is what the real one is to a client: a number.
      sendJson(res, 200, { input_tokens: Math.ceil(text.length / 4) });
      return;
    }
    if (req.method !== "POST" || path !== "/v1/messages" || !body) {
      record("not-found", body);
      apiError(res, 404, "not_found_error", `Not found: ${req.method} ${path}`);
      return;
    }
    n++;
    const model = typeof body.model === "string" ? body.model : "unknown";
    const hasTools = Array.isArray(body.tools) && body.tools.length > 0;
    let turn: ScriptedTurn;
    if (!hasTools) {
      record("side", body);
      turn = {
        content: [{ type: "text", text: "Scripted task" }],
        usage: { input_tokens: 0, output_tokens: 0 },
      };
    } else {
      const next = options.turns[served];
      if (!next) {
        record("unscripted", body);
        apiError(res, 500, "api_error", `the script has ${options.turns.length} turns; this is request ${n}`);
        return;
      }
      record("turn", body);
      served++;
      turn = next;
      total.inputTokens += next.usage.input_tokens;
      total.outputTokens += next.usage.output_tokens;
      total.cacheReadTokens += next.usage.cache_read_input_tokens ?? 0;
      total.cacheWriteTokens += next.usage.cache_creation_input_tokens ?? 0;
    }
    const message = assistantMessage(`msg_scripted_${n}`, model, turn, n);
    if (body.stream === true) {
      stream(res, message, turn.usage);
    } else {
      sendJson(res, 200, {
        ...message,
        usage: {
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          ...turn.usage,
        },
      });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) apiError(res, 500, "api_error", String(error));
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reportedUsage: () => ({ ...total }),
    turnsServed: () => served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
