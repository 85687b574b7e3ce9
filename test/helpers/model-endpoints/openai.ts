import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Usage } from "../../../src/runner/adapters/adapter.js";
import { readBody, sendJson as sendJsonAs } from "./http.js";

/**
 * A scripted stand-in for an OpenAI-compatible Chat Completions API (`POST /v1/chat/completions`) on loopback,
 * for driving a real CLI (OpenCode through `@ai-sdk/openai-compatible`, or any other client of that API)
 * through a task without a network or a model. Each agent request (one that offers `tools`) gets the next
 * scripted turn, streamed as the API streams it: server-sent `chat.completion.chunk`s with the role, the text
 * in pieces, the tool calls (name first, arguments in pieces), the finish reason, and — when the request asks
 * for it with `stream_options.include_usage` — a last chunk with no choices and the usage, then `[DONE]`.
 * Requests without tools (a CLI's side calls: titles, summaries) get a short canned answer and do not use up
 * the script. Everything is recorded, and the usage reported is totalled in Flotilla's terms.
 */

export interface ScriptedToolCall {
  name: string;
  arguments: Record<string, unknown>;
  id?: string;
}

export interface ScriptedTurn {
  text?: string;
  toolCalls?: ScriptedToolCall[];
  usage: {
    prompt_tokens: number;
    completion_tokens: number;
    /** `prompt_tokens_details.cached_tokens`: part of prompt_tokens, as the API counts them. */
    cached_tokens?: number;
    /** `completion_tokens_details.reasoning_tokens`: part of completion_tokens. */
    reasoning_tokens?: number;
  };
}

export interface ToolMessage {
  toolCallId: string;
  content: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** `turn`: answered from the script; `side`: a request without tools; the rest say what was wrong. */
  kind: "turn" | "side" | "unauthorized" | "unscripted" | "not-found";
  model?: string;
  stream?: boolean;
  /** Whether the request asked for the usage chunk. */
  includeUsage?: boolean;
  messages?: unknown[];
  /** The `tool` messages after the last assistant message: what the CLI's tools did with the previous turn. */
  toolResults: ToolMessage[];
  /** The tool names the request offered. */
  tools: string[];
}

export interface OpenAIEndpoint {
  /** The API root with /v1, as OpenAI clients take their base URL. */
  url: string;
  requests: RecordedRequest[];
  /** What the endpoint reported over all scripted turns: input without the cached part, as Flotilla counts. */
  reportedUsage(): Required<Pick<Usage, "inputTokens" | "outputTokens" | "cacheReadTokens">>;
  turnsServed(): number;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendJsonAs(res, status, body, "x-request-id");
}

function apiError(res: ServerResponse, status: number, type: string, code: string, message: string): void {
  sendJson(res, status, { error: { message, type, param: null, code } });
}

function toolMessages(messages: unknown[]): ToolMessage[] {
  const results: ToolMessage[] = [];
  for (const message of [...messages].reverse() as Json[]) {
    if (message.role !== "tool") break;
    const content = Array.isArray(message.content)
      ? (message.content as Json[]).map((part) => (typeof part.text === "string" ? part.text : "")).join("")
      : String(message.content ?? "");
    results.unshift({ toolCallId: String(message.tool_call_id), content });
  }
  return results;
}

function apiUsage(usage: ScriptedTurn["usage"]): Json {
  return {
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.prompt_tokens + usage.completion_tokens,
    prompt_tokens_details: { cached_tokens: usage.cached_tokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: usage.reasoning_tokens ?? 0 },
  };
}

/** Two pieces, so a client that keeps only the last delta shows up in the tests. */
function halves(text: string): string[] {
  const cut = Math.ceil(text.length / 2);
  return [text.slice(0, cut), text.slice(cut)].filter((piece) => piece !== "");
}

interface Reply {
  id: string;
  model: string;
  turn: ScriptedTurn;
  calls: { id: string; name: string; arguments: string }[];
  finish: "tool_calls" | "stop";
}

function reply(n: number, model: string, turn: ScriptedTurn): Reply {
  const calls = (turn.toolCalls ?? []).map((call, i) => ({
    id: call.id ?? `call_${n}_${i}`,
    name: call.name,
    arguments: JSON.stringify(call.arguments),
  }));
  return {
    id: `chatcmpl-scripted-${n}`,
    model,
    turn,
    calls,
    finish: calls.length > 0 ? "tool_calls" : "stop",
  };
}

function stream(res: ServerResponse, r: Reply, includeUsage: boolean): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const created = Math.floor(Date.now() / 1000);
  const chunk = (choices: Json[], extra: Json = {}) =>
    res.write(
      `data: ${JSON.stringify({ id: r.id, object: "chat.completion.chunk", created, model: r.model, choices, ...extra })}\n\n`,
    );
  const delta = (d: Json) => chunk([{ index: 0, delta: d, logprobs: null, finish_reason: null }]);
  delta({ role: "assistant", content: "" });
  for (const piece of halves(r.turn.text ?? "")) delta({ content: piece });
  r.calls.forEach((call, index) => {
    delta({
      tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }],
    });
    for (const piece of halves(call.arguments))
      delta({ tool_calls: [{ index, function: { arguments: piece } }] });
  });
  chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: r.finish }]);
  if (includeUsage) chunk([], { usage: apiUsage(r.turn.usage) });
  res.end("data: [DONE]\n\n");
}

function completion(res: ServerResponse, r: Reply): void {
  sendJson(res, 200, {
    id: r.id,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: r.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: r.turn.text ?? null,
          ...(r.calls.length > 0
            ? {
                tool_calls: r.calls.map((c) => ({
                  id: c.id,
                  type: "function",
                  function: { name: c.name, arguments: c.arguments },
                })),
              }
            : {}),
        },
        logprobs: null,
        finish_reason: r.finish,
      },
    ],
    usage: apiUsage(r.turn.usage),
  });
}

/**
 * Starts the endpoint on a free loopback port. Requests must carry `Authorization: Bearer apiKey` (401 with
 * OpenAI's `invalid_api_key` otherwise). A tool request past the end of the script gets a 500, recorded as
 * `unscripted`, so a CLI that asks more than the test expected fails instead of hanging.
 */
export async function startOpenAIEndpoint(options: {
  apiKey: string;
  turns: ScriptedTurn[];
}): Promise<OpenAIEndpoint> {
  const requests: RecordedRequest[] = [];
  const total = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0 };
  let served = 0;
  let n = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const text = await readBody(req);
    let body: Json | undefined;
    try {
      body = text ? (JSON.parse(text) as Json) : undefined;
    } catch {
      body = undefined;
    }
    const record = (kind: RecordedRequest["kind"]) => {
      const messages = Array.isArray(body?.messages) ? (body.messages as unknown[]) : undefined;
      const streamOptions = body?.stream_options as Json | undefined;
      requests.push({
        method: req.method ?? "GET",
        path,
        kind,
        ...(typeof body?.model === "string" ? { model: body.model } : {}),
        ...(typeof body?.stream === "boolean" ? { stream: body.stream } : {}),
        ...(streamOptions ? { includeUsage: streamOptions.include_usage === true } : {}),
        ...(messages ? { messages } : {}),
        toolResults: messages ? toolMessages(messages) : [],
        tools: Array.isArray(body?.tools)
          ? (body.tools as Json[]).map((tool) => String((tool.function as Json | undefined)?.name))
          : [],
      });
    };
    if (req.headers.authorization !== `Bearer ${options.apiKey}`) {
      record("unauthorized");
      apiError(res, 401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided.");
      return;
    }
    if (req.method !== "POST" || path !== "/v1/chat/completions" || !body) {
      record("not-found");
      apiError(
        res,
        404,
        "invalid_request_error",
        "unknown_url",
        `Unknown request URL: ${req.method} ${path}`,
      );
      return;
    }
    n++;
    const model = typeof body.model === "string" ? body.model : "unknown";
    let turn: ScriptedTurn;
    if (!Array.isArray(body.tools) || body.tools.length === 0) {
      record("side");
      turn = { text: "Scripted task", usage: { prompt_tokens: 0, completion_tokens: 0 } };
    } else {
      const next = options.turns[served];
      if (!next) {
        record("unscripted");
        apiError(
          res,
          500,
          "server_error",
          "unscripted",
          `the script has ${options.turns.length} turns; this is request ${n}`,
        );
        return;
      }
      record("turn");
      served++;
      turn = next;
      const cached = next.usage.cached_tokens ?? 0;
      total.inputTokens += next.usage.prompt_tokens - cached;
      total.outputTokens += next.usage.completion_tokens;
      total.cacheReadTokens += cached;
    }
    const r = reply(n, model, turn);
    if (body.stream === true)
      stream(res, r, (body.stream_options as Json | undefined)?.include_usage === true);
    else completion(res, r);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) apiError(res, 500, "server_error", "internal", String(error));
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
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
