import { stringify } from "yaml";
import type { AgentConfig } from "../../app/config/schema.js";
import type { AgentAdapter, AgentReport, OutputReader, ProgressEvent, Usage } from "./adapter.js";
import {
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
 * `adapter: goose`: the goose CLI headless (`goose run`), instructions from the prompt file, its output as
 * stream-json (one event a line: message, notification, error, complete). Flags, settings and events are in
 * docs/agents.md (the goose section); checked against goose's documentation and source for 1.50.0 (it is not on npm and its
 * installer downloads from GitHub, out of reach where this was written).
 */

const VERSION = "1.50.0";
const DEFAULT_PROVIDER = "anthropic";

/**
 * Where each provider takes its API's address from (goose reads a setting from the environment first, then
 * config.yaml). OpenAI's is split in two: the host, and the path of the chat completions endpoint.
 */
const HOST_SETTINGS: Record<string, (url: URL) => Record<string, string>> = {
  anthropic: (url) => ({ ANTHROPIC_HOST: withoutSlash(url.href) }),
  openai: (url) => {
    const path = url.pathname.replace(/^\/+|\/+$/g, "");
    return { OPENAI_HOST: url.origin, OPENAI_BASE_PATH: `${path || "v1"}/chat/completions` };
  },
  openrouter: (url) => ({ OPENROUTER_HOST: withoutSlash(url.href) }),
  ollama: (url) => ({ OLLAMA_HOST: withoutSlash(url.href) }),
  xai: (url) => ({ XAI_HOST: withoutSlash(url.href) }),
};

const withoutSlash = (text: string) => text.replace(/\/+$/, "");

/** `openai/gpt-5.6` → goose's provider `openai`, model `gpt-5.6`; a name without a provider is Anthropic's. */
export function gooseModel(model: string | undefined): { provider: string; model?: string } {
  if (!model) return { provider: DEFAULT_PROVIDER };
  const slash = model.indexOf("/");
  if (slash <= 0) return { provider: DEFAULT_PROVIDER, model };
  return { provider: model.slice(0, slash), model: model.slice(slash + 1) || undefined };
}

function hostSettings(provider: string, agent: AgentConfig): Record<string, string> {
  if (!agent.baseUrl) return {};
  const settings = HOST_SETTINGS[provider];
  if (!settings) {
    throw new Error(
      `goose's provider \`${provider}\` has no base URL setting Flotilla knows (it knows ${Object.keys(HOST_SETTINGS).join(", ")}): remove \`baseUrl\` or use one of those`,
    );
  }
  return settings(new URL(agent.baseUrl));
}

/** What goose says in place of an answer when `--max-turns` ran out (MAX_TURNS_MESSAGE in its source). */
const MAX_TURNS_MESSAGE =
  "I've reached the maximum number of actions I can do without user input. Would you like me to continue?";

/** The arguments that say what a tool call does: the shell's command, the editor's command and path. */
const SHOWN_ARGUMENTS = ["command", "cmd", "path", "file_path", "query", "url"];

/** Where goose's tool arguments, tool failures and log messages are cut (shorter than `short`'s default). */
const SHOWN_LENGTH = 120;

/** `developer__shell npm test`, `developer__text_editor write src/a.ts`: the tool and what it touches. */
function toolLine(content: Json): string {
  const name = stringAt(content, "toolCall.value.name") ?? "tool";
  const shown = SHOWN_ARGUMENTS.flatMap((key) => {
    const value = stringAt(content, `toolCall.value.arguments.${key}`);
    return value ? [short(value, SHOWN_LENGTH)] : [];
  }).slice(0, 2);
  return [name, ...shown].join(" ");
}

/** A tool's failure: an error result, or a result the tool marked `isError`. */
function toolFailure(content: Json): string | undefined {
  if (stringAt(content, "toolResult.status") === "error")
    return stringAt(content, "toolResult.error") ?? "error";
  if (at(content, "toolResult.value.isError") !== true) return undefined;
  const parts = at(content, "toolResult.value.content");
  const text = Array.isArray(parts) ? parts.map((p) => stringAt(p, "text") ?? "").join(" ") : "";
  return short(text || "the tool failed", SHOWN_LENGTH);
}

/**
 * Reads stream-json. An assistant message streams as several `message` events with the same id, each with the
 * next piece of text; the pieces are put together and shown a line at a time. Events to show are queued, since
 * one line can end a message's text and start a tool call: each call hands out the oldest.
 */
function gooseReader(): OutputReader {
  const queue: ProgressEvent[] = [];
  const assistantIds = new Set<string>();
  let current: { id: string | undefined; text: string; pending: string } | undefined;
  let lastText: string | undefined;
  let usage: Usage = {};
  let failure: string | undefined;

  const show = (event: ProgressEvent | undefined) => {
    if (event) queue.push(event);
  };
  /** The message being streamed has ended: its last unfinished line is shown, its text kept. */
  const endText = () => {
    if (!current) return;
    show(textEvent(current.pending));
    if (current.text.trim()) lastText = current.text.trim();
    current = undefined;
  };
  /** A piece of an assistant message's text: the same message while the id stays (or, without ids, the kind). */
  const addText = (id: string | undefined, text: string) => {
    if (current === undefined || (id !== undefined && current.id !== id)) {
      endText();
      current = { id, text: "", pending: "" };
    }
    current.text += text;
    const lines = (current.pending + text).split("\n");
    current.pending = lines.pop() ?? "";
    show(textEvent(lines.join("\n")));
  };

  const onMessage = (message: Json) => {
    const role = stringAt(message, "role");
    const id = stringAt(message, "id");
    const content = at(message, "content");
    if (role === "assistant" && id !== undefined) assistantIds.add(id);
    for (const part of Array.isArray(content) ? (content as Json[]) : []) {
      const type = stringAt(part, "type");
      if (role === "assistant" && type === "text") {
        addText(id, stringAt(part, "text") ?? "");
        continue;
      }
      if (type === "thinking" || type === "redactedThinking") continue;
      endText();
      if (type === "toolRequest") show(textEvent(toolLine(part), "tool"));
      else if (type === "toolResponse") show(textEvent(toolFailure(part), "error"));
      else if (type === "systemNotification" && stringAt(part, "notificationType") === "inlineMessage") {
        show(textEvent(stringAt(part, "msg"), "info"));
      } else if (type === "error") show(textEvent(stringAt(part, "message"), "error"));
    }
  };

  return {
    line(line) {
      const event = jsonLine(line);
      if (!event) {
        show(textEvent(line, "info"));
      } else if (event.type === "message") {
        const message = at(event, "message");
        if (message !== null && typeof message === "object") onMessage(message as Json);
      } else if (event.type === "notification") {
        show(textEvent(short(stringAt(event, "log.message") ?? "", SHOWN_LENGTH), "info"));
      } else if (event.type === "error") {
        endText();
        failure = stringAt(event, "error") ?? "goose reported an error";
        show(textEvent(failure, "error"));
      } else if (event.type === "complete") {
        endText();
        const input = numberAt(event, "input_tokens");
        const cacheRead = numberAt(event, "cache_read_input_tokens");
        const cacheWrite = numberAt(event, "cache_write_input_tokens");
        usage = {
          // goose's input count includes the tokens read from and written to the provider's cache.
          inputTokens:
            input === undefined ? undefined : Math.max(0, input - (cacheRead ?? 0) - (cacheWrite ?? 0)),
          outputTokens: numberAt(event, "output_tokens"),
          cacheReadTokens: cacheRead,
          cacheWriteTokens: cacheWrite,
          costUsd: numberAt(event, "cost_usd"),
        };
      }
      return queue.splice(0);
    },
    flush() {
      endText();
      return queue.splice(0);
    },
    finish(): AgentReport {
      endText();
      const turns = assistantIds.size > 0 ? assistantIds.size : undefined;
      const report: AgentReport = { usage: definedUsage({ ...usage, turns }) };
      if (lastText !== undefined) report.summary = lastText;
      if (failure !== undefined) report.outcome = { kind: "agent-error", message: failure };
      else if (lastText === MAX_TURNS_MESSAGE) {
        report.outcome = { kind: "limit", limit: "turns", message: "The agent stopped at its turn limit." };
      }
      return report;
    },
  };
}

export const goose: AgentAdapter = {
  name: "goose",
  // The official installer; GOOSE_VERSION=v1.50.0 CONFIGURE=false make it install this version and ask nothing.
  install: {
    from: "script",
    url: "https://github.com/aaif-goose/goose/releases/download/stable/download_cli.sh",
    version: VERSION,
    bin: "goose",
  },
  // Its default provider is Anthropic; another provider (`model: openai/…`) names its key in `secrets`.
  defaultSecrets: ["ANTHROPIC_API_KEY"],
  enforces: { maxTurns: true, maxBudgetUsd: false },
  problems(agent) {
    try {
      hostSettings(gooseModel(agent.model).provider, agent);
      return [];
    } catch (error) {
      return [{ key: "baseUrl", message: (error as Error).message }];
    }
  },
  invocation({ agent, promptFile }) {
    const { provider, model } = gooseModel(agent.model);
    const config = {
      // Every tool call runs without asking: there is nobody to ask (Approve modes refuse to run headless).
      GOOSE_MODE: "auto",
      GOOSE_TELEMETRY_ENABLED: false,
      ...hostSettings(provider, agent),
    };
    return {
      argv: [
        "goose",
        "run",
        // A hidden session only: nothing to resume, nothing kept.
        "--no-session",
        `--instructions=${promptFile}`,
        "--output-format=stream-json",
        // With --provider and no --model goose takes the provider's default model; no `goose configure` needed.
        `--provider=${provider}`,
        ...(model ? [`--model=${model}`] : []),
        // The shell and file editing tools, whatever the (empty) profile says.
        "--with-builtin=developer",
        ...(agent.maxTurns ? [`--max-turns=${agent.maxTurns}`] : []),
      ],
      env: {
        // Secrets come from the environment; goose must not reach for a desktop keyring that is not there.
        GOOSE_DISABLE_KEYRING: "1",
        GOOSE_TELEMETRY_OFF: "1",
      },
      files: { ".config/goose/config.yaml": stringify(config) },
    };
  },
  reader: gooseReader,
};
