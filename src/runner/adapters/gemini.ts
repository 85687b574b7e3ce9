import type { AgentConfig } from "../../app/config/schema.js";
import type { AgentAdapter, AgentReport, Invocation, OutputReader, ProgressEvent, Usage } from "./adapter.js";
import {
  at,
  definedUsage,
  type Json,
  jsonLine,
  numberAt,
  short,
  stringAt,
  textEvent,
  toolSummary,
} from "./read-output.js";

/**
 * `adapter: gemini`: Google's Gemini CLI headless, the prompt on stdin, its output as stream-json (one JSON
 * event a line: init, message, tool_use, tool_result, error, result). Flags, settings and what the events
 * mean are in docs/agents.md (the gemini section), checked against the real 0.61.0.
 */

const VERSION = "0.61.0";
const DEFAULT_KEY = "GEMINI_API_KEY";

/**
 * `~/.gemini/settings.json`: the user settings of the session's fresh HOME. A repository's own
 * `.gemini/settings.json` is merged over it (it is the repository's choice, like the rest of its config).
 */
function settings(agent: AgentConfig): Json {
  const secrets = agent.secrets ?? [DEFAULT_KEY];
  return {
    general: {
      // The CLI is pinned: it must not update itself, or offer to, in the middle of a run.
      enableAutoUpdate: false,
      enableAutoUpdateNotification: false,
      // Its default (10 attempts, 5 s doubling to 30 s) keeps a run on a dead endpoint for three and a half
      // minutes; three ride out a blip (429, 5xx, a dropped connection) and fail in about fifteen seconds.
      maxAttempts: 3,
    },
    // No usage statistics or telemetry: an agent's only traffic is its model API.
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
    security: {
      // The commands the model runs get the environment without the agent's secrets (its API key): the CLI
      // needs them, a test script does not. Its own patterns (KEY, TOKEN, …) catch the usual names as well.
      environmentVariableRedaction: { enabled: true, blocked: secrets },
      // With GOOGLE_GEMINI_BASE_URL set, 0.61.0 picks the `gateway` auth type from the environment and then
      // refuses it ("Invalid auth method selected"): an API key against that URL is what a base URL means.
      ...(agent.baseUrl !== undefined ? { auth: { selectedType: "gemini-api-key" } } : {}),
    },
    // Its turn limit: each model call counts, and the run ends with a FatalTurnLimitedError (exit 53) past it.
    ...(agent.maxTurns !== undefined ? { model: { maxSessionTurns: agent.maxTurns } } : {}),
  };
}

const SHOWN_PARAMETERS = [
  "file_path",
  "dir_path",
  "path",
  "command",
  "pattern",
  "url",
  "query",
  "description",
];

/** `write_file fix.txt`, `run_shell_command npm test`: the tool and the one parameter that says what it touches. */
function toolLine(event: Json): string {
  const name = stringAt(event, "tool_name") ?? "tool";
  return toolSummary(name, at(event, "parameters"), SHOWN_PARAMETERS);
}

/**
 * The result's `stats`. `input_tokens` is the prompt, cached part included; `input` is the part that was not
 * cached, which is what ours counts. Thinking tokens are in `total_tokens` only, never apart: not counted.
 */
function statsUsage(stats: unknown): Usage {
  const prompt = numberAt(stats, "input_tokens");
  const cached = numberAt(stats, "cached");
  const uncached = numberAt(stats, "input") ?? (prompt === undefined ? undefined : prompt - (cached ?? 0));
  return { inputTokens: uncached, outputTokens: numberAt(stats, "output_tokens"), cacheReadTokens: cached };
}

/** `[API Error: {"error":{"code":400,"message":"API key not valid…"}}]` → the API's own message. */
function errorMessage(message: string): string {
  const inner = /^\[API Error: ([\s\S]*)\]$/.exec(message.trim())?.[1];
  if (inner === undefined) return message;
  const parsed = jsonLine(inner);
  const said = stringAt(parsed, "error.message");
  const status = stringAt(parsed, "error.status");
  return `Gemini API error: ${said ? `${said}${status ? ` (${status})` : ""}` : inner}`;
}

function resultOutcome(result: Json, lastError: string | undefined): AgentReport["outcome"] {
  if (stringAt(result, "status") !== "error") return undefined;
  const type = stringAt(result, "error.type");
  const message = stringAt(result, "error.message");
  if (type === "FatalTurnLimitedError") {
    return {
      kind: "limit",
      limit: "turns",
      message: `Gemini CLI stopped at its turn limit: ${message ?? type}`,
    };
  }
  // An invalid model response ends the run with `status: error` and no error: the `error` event said why.
  return {
    kind: "agent-error",
    message: message ? errorMessage(message) : (lastError ?? "Gemini CLI failed"),
  };
}

/** Longest assistant text kept while it streams in: a summary, not a transcript. */
const MAX_TEXT = 64 * 1024;

function geminiReader(): OutputReader {
  let result: Json | undefined;
  let turns = 0;
  // The model's text arrives in deltas; it is shown, and kept as the summary, once the message is whole.
  let text = "";
  let summary: string | undefined;
  let inTurn = false;
  let lastError: string | undefined;

  /** The message streamed so far, as one event (joined to `more`, what ended it), and kept as the summary. */
  const flush = (more?: ProgressEvent): ProgressEvent | undefined => {
    const said = text.trim();
    text = "";
    if (said) summary = said;
    if (!said) return more;
    return more ? { kind: more.kind, text: `${said}\n${more.text}` } : { kind: "text", text: said };
  };
  const turn = () => {
    if (!inTurn) turns++;
    inTurn = true;
  };

  return {
    line(line) {
      const event = jsonLine(line);
      if (!event) return flush(textEvent(line, "info"));
      switch (event.type) {
        case "init":
          return textEvent(`Gemini CLI, model ${stringAt(event, "model") ?? "default"}`, "info");
        case "message": {
          if (stringAt(event, "role") !== "assistant") return undefined;
          turn();
          const content = stringAt(event, "content") ?? "";
          if (event.delta !== true) text = "";
          if (text.length < MAX_TEXT) text += content.slice(0, MAX_TEXT - text.length);
          return undefined;
        }
        case "tool_use":
          turn();
          return flush({ kind: "tool", text: toolLine(event) });
        case "tool_result": {
          inTurn = false;
          if (stringAt(event, "status") !== "error") return flush();
          const message = stringAt(event, "error.message") ?? "failed";
          return flush({ kind: "error", text: short(message) });
        }
        case "error": {
          const message = stringAt(event, "message") ?? "error";
          const error = stringAt(event, "severity") === "error";
          if (error) lastError = message;
          return flush({ kind: error ? "error" : "info", text: message });
        }
        case "result":
          result = event;
          return flush();
        default:
          return undefined;
      }
    },
    finish(): AgentReport {
      flush();
      const usage = definedUsage({ ...statsUsage(result?.stats), turns: turns > 0 ? turns : undefined });
      const outcome = result
        ? resultOutcome(result, lastError)
        : { kind: "agent-error" as const, message: lastError ?? "Gemini CLI ended without its result event" };
      return { usage, ...(summary !== undefined ? { summary } : {}), ...(outcome ? { outcome } : {}) };
    },
  };
}

export const gemini: AgentAdapter = {
  name: "gemini",
  install: { from: "npm", package: "@google/gemini-cli", version: VERSION, bin: "gemini" },
  defaultSecrets: [DEFAULT_KEY],
  // maxSessionTurns stops it; it has no spending limit.
  enforces: { maxTurns: true, maxBudgetUsd: false },
  invocation({ agent }): Invocation {
    return {
      argv: [
        "gemini",
        // Headless because stdin is not a terminal: the prompt is read from it, with no argument's size limit.
        "--output-format=stream-json",
        // Edits and shell commands run without asking: nobody could answer. The runner is the boundary.
        "--approval-mode=yolo",
        // A fresh HOME trusts no folder, and an untrusted one silently drops yolo back to `default`.
        "--skip-trust",
        ...(agent.model !== undefined ? [`--model=${agent.model}`] : []),
      ],
      env: agent.baseUrl !== undefined ? { GOOGLE_GEMINI_BASE_URL: agent.baseUrl } : {},
      files: { ".gemini/settings.json": `${JSON.stringify(settings(agent), null, 2)}\n` },
      promptOnStdin: true,
    };
  },
  reader: geminiReader,
};
