import type { AgentConfig } from "../../app/config/schema.js";
import type { AgentAdapter, AgentReport, OutputReader, ProgressEvent, Usage } from "./adapter.js";
import {
  addUsage,
  at,
  definedUsage,
  type Json,
  jsonLine,
  numberAt,
  short,
  stringAt,
  textEvent,
} from "./read-output.js";

/**
 * `adapter: codex`: OpenAI's Codex CLI non-interactively (`codex exec --json`), the prompt on stdin (`-`), its
 * output as JSONL events (thread.started, turn.*, item.*, error). Flags and what the events mean are in
 * docs/agents.md (the codex section), checked against the real 0.171.0.
 */

const VERSION = "0.171.0";

/** Our own model provider: Codex's built-in `openai` one cannot be changed (no retry settings, no env key). */
const PROVIDER = "flotilla";
const OPENAI_API = "https://api.openai.com/v1";
const DEFAULT_KEY = "OPENAI_API_KEY";

/**
 * The default (4 request and 5 stream retries, plus 5 WebSocket attempts first) keeps a run on a refusing API
 * for half a minute; two of each ride out a blip and fail in seconds. A refused connection is another matter:
 * 0.171.0 then waits for the network without limit, whatever these say, so the runner's timeout ends it.
 */
const RETRIES = 2;

/** A TOML basic string: JSON's escapes are all valid TOML ones, so any text comes through as it is. */
const toml = (text: string) => JSON.stringify(text);

/**
 * The variable the provider reads its key from: OPENAI_API_KEY unless the agent's secrets name another (a
 * gateway's key), and none when the agent has no secrets at all (a local endpoint that wants no key).
 */
function keyVariable(agent: AgentConfig): string | undefined {
  const secrets = agent.secrets;
  if (secrets === undefined || secrets.includes(DEFAULT_KEY)) return DEFAULT_KEY;
  return secrets[0];
}

/** `-c model_providers.flotilla={…}`: the OpenAI Responses API at the agent's base URL, HTTP only. */
function providerTable(agent: AgentConfig): string {
  const key = keyVariable(agent);
  const fields = [
    `name=${toml("OpenAI via Flotilla")}`,
    `base_url=${toml(agent.baseUrl ?? OPENAI_API)}`,
    ...(key ? [`env_key=${toml(key)}`] : []),
    `wire_api="responses"`,
    `request_max_retries=${RETRIES}`,
    `stream_max_retries=${RETRIES}`,
    // Gateways and proxies speak HTTP; the WebSocket attempts only delay the fallback to it.
    "supports_websockets=false",
  ];
  return `{${fields.join(",")}}`;
}

/** Settings as `-c key=value` (TOML values); `--strict-config` makes a key this version does not know fail. */
function settings(agent: AgentConfig): string[] {
  const secrets = agent.secrets ?? [DEFAULT_KEY];
  const values = [
    // exec has no --ask-for-approval; nobody could answer anyway: what the sandbox refuses fails.
    `approval_policy="never"`,
    "check_for_update_on_startup=false",
    "analytics.enabled=false",
    // The issue is untrusted text: a search tool it can steer would carry the repository's content out.
    `web_search="disabled"`,
    `model_provider=${toml(PROVIDER)}`,
    `model_providers.${PROVIDER}=${providerTable(agent)}`,
    // The secrets are Codex's own (its API key); the commands the model runs get the rest of the environment.
    // 0.171.0 passes them everything by default, keys included.
    ...(secrets.length > 0 ? [`shell_environment_policy.exclude=[${secrets.map(toml).join(",")}]`] : []),
  ];
  return values.flatMap((value) => ["-c", value]);
}

/**
 * `turn.completed`'s usage. Codex passes on the Responses API's counts, where `input_tokens` includes the cached
 * and cache-write tokens; ours counts them apart.
 */
function turnUsage(event: Json): Usage {
  const input = numberAt(event, "usage.input_tokens");
  const cached = numberAt(event, "usage.cached_input_tokens");
  const written = numberAt(event, "usage.cache_write_input_tokens");
  return {
    inputTokens: input === undefined ? undefined : Math.max(0, input - (cached ?? 0) - (written ?? 0)),
    outputTokens: numberAt(event, "usage.output_tokens"),
    cacheReadTokens: cached,
    cacheWriteTokens: written,
  };
}

/** What an item says when it starts or ends: the commands, edits and tool calls people want to follow. */
function itemEvent(phase: "started" | "completed", item: Json): ProgressEvent | undefined {
  const type = stringAt(item, "type");
  const status = stringAt(item, "status");
  switch (type) {
    case "agent_message":
      return phase === "completed" ? textEvent(stringAt(item, "text")) : undefined;
    case "reasoning":
      return phase === "completed" ? textEvent(short(stringAt(item, "text") ?? ""), "info") : undefined;
    case "command_execution": {
      const command = short(stringAt(item, "command") ?? "");
      if (phase === "started") return textEvent(`$ ${command}`, "tool");
      const code = numberAt(item, "exit_code");
      return status === "failed" || (code !== undefined && code !== 0)
        ? textEvent(`$ ${command} (exit ${code ?? status})`, "tool")
        : undefined;
    }
    case "file_change": {
      const changes = at(item, "changes");
      const list = Array.isArray(changes)
        ? changes.map((c) => `${stringAt(c, "kind") ?? "change"} ${stringAt(c, "path") ?? "?"}`).join(", ")
        : "files";
      if (phase === "started") return undefined;
      return status === "failed" ? textEvent(`failed: ${list}`, "error") : textEvent(list, "tool");
    }
    case "mcp_tool_call": {
      const name = `${stringAt(item, "server") ?? "mcp"}.${stringAt(item, "tool") ?? "tool"}`;
      if (phase === "started") return textEvent(name, "tool");
      return status === "failed"
        ? textEvent(`${name}: ${stringAt(item, "error.message") ?? "failed"}`, "error")
        : undefined;
    }
    case "web_search":
      return phase === "completed" ? textEvent(`search ${stringAt(item, "query") ?? ""}`, "tool") : undefined;
    case "error":
      // Warnings that do not stop the turn (an unknown model's metadata, the WebSocket fallback).
      return textEvent(stringAt(item, "message"), "info");
    default:
      return undefined;
  }
}

/** Codex retries by itself and says so; such an `error` event is news, not the end. */
const RETRYING = /^Reconnecting\.\.\./;

function codexReader(): OutputReader {
  let usage: Usage = {};
  let turns = 0;
  let summary: string | undefined;
  let failed: string | undefined;
  // An `error` event that no later turn.completed answered: the stream ended on it.
  let unanswered: string | undefined;
  return {
    line(line) {
      const event = jsonLine(line);
      if (!event) return textEvent(line, "info");
      switch (event.type) {
        case "turn.completed": {
          usage = addUsage(usage, turnUsage(event));
          turns++;
          unanswered = undefined;
          return undefined;
        }
        case "turn.failed": {
          failed ??= stringAt(event, "error.message") ?? "the turn failed";
          return textEvent(failed, "error");
        }
        case "error": {
          const message = stringAt(event, "message") ?? "error";
          if (RETRYING.test(message)) return textEvent(message, "info");
          unanswered = message;
          return textEvent(message, "error");
        }
        case "item.started":
        case "item.completed": {
          const item = at(event, "item");
          if (item === null || typeof item !== "object") return undefined;
          if (event.type === "item.completed" && stringAt(item, "type") === "agent_message") {
            summary = stringAt(item, "text")?.trim() || summary;
          }
          return itemEvent(event.type === "item.started" ? "started" : "completed", item as Json);
        }
        default:
          return undefined;
      }
    },
    finish(): AgentReport {
      const message = failed ?? unanswered;
      return {
        usage: definedUsage({ ...usage, turns: turns > 0 ? turns : undefined }),
        ...(summary !== undefined ? { summary } : {}),
        ...(message !== undefined ? { outcome: { kind: "agent-error", message } } : {}),
      };
    },
  };
}

export const codex: AgentAdapter = {
  name: "codex",
  install: { from: "npm", package: "@openai/codex", version: VERSION, bin: "codex" },
  // 0.171.0's built-in provider ignores OPENAI_API_KEY in exec (it wants CODEX_API_KEY or a login); ours reads it.
  defaultSecrets: [DEFAULT_KEY],
  // exec has no turn or spending limit of its own.
  enforces: { maxTurns: false, maxBudgetUsd: false },
  invocation({ agent, workspace }) {
    return {
      argv: [
        "codex",
        "exec",
        "--json",
        "--color=never",
        "--strict-config",
        // Nothing to resume later: the session's HOME is thrown away anyway.
        "--ephemeral",
        // The workspace is a git worktree; the check would only fail where it is not.
        "--skip-git-repo-check",
        "--sandbox=workspace-write",
        `--cd=${workspace}`,
        ...settings(agent),
        ...(agent.model ? [`--model=${agent.model}`] : []),
        // The prompt from stdin: no size limit of an argument, and not visible in the process list.
        "-",
      ],
      promptOnStdin: true,
    };
  },
  reader: codexReader,
};
