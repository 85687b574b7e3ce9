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
  toolSummary,
} from "./read-output.js";

/**
 * `adapter: opencode`: OpenCode's `opencode run`, the prompt on stdin, its output as JSON events (one a line:
 * step_start, text, tool_use, step_finish, error). Flags, settings and what the events mean are in
 * docs/agents.md (the opencode section), checked against the real 1.18.33.
 */

const VERSION = "1.18.33";

/** The provider a model without one would use, and the one ANTHROPIC_API_KEY (the default secret) is for. */
const DEFAULT_PROVIDER = "anthropic";

/** A config that names a model OpenCode cannot: another run fails the same way (see MissingSecretError). */
export class OpencodeModelError extends Error {
  override name = "OpencodeModelError";
  readonly permanent = true;
  constructor(readonly model: string) {
    super(
      `OpenCode names a model as provider/model (anthropic/claude-sonnet-4-5, openai/gpt-5): set the agent's \`model\` to one, not "${model}"`,
    );
  }
}

function provider(agent: AgentConfig): string {
  if (agent.model === undefined) return DEFAULT_PROVIDER;
  const slash = agent.model.indexOf("/");
  if (slash <= 0 || slash === agent.model.length - 1) throw new OpencodeModelError(agent.model);
  return agent.model.slice(0, slash);
}

/**
 * The inline config (OPENCODE_CONFIG_CONTENT): merged over every config file, the repository's opencode.json
 * included, so a repository can add to it (its own providers, instructions) but not undo these keys.
 */
function config(agent: AgentConfig, providerId: string): Json {
  return {
    // The CLI is pinned: it must not update itself in the middle of a run, nor publish the session.
    autoupdate: false,
    share: "disabled",
    // Its undo history is a second git store of the workspace in HOME, which is thrown away anyway.
    snapshot: false,
    // Everything runs without asking (in `run`, a question is a rejection), except what loops: the third
    // identical tool call in a row is refused instead of repeated until the timeout.
    permission: { "*": "allow", doom_loop: "deny" },
    // `steps` is a request, not a stop: past it OpenCode tells the model to answer in text, but still runs
    // the tools it calls (hence `enforces.maxTurns: false`).
    ...(agent.maxTurns !== undefined ? { agent: { build: { steps: agent.maxTurns } } } : {}),
    // The model's provider at the agent's base URL, passed as OpenCode's `baseURL` (the AI SDK's: with /v1).
    ...(agent.baseUrl !== undefined
      ? { provider: { [providerId]: { options: { baseURL: agent.baseUrl } } } }
      : {}),
  };
}

const SHOWN_INPUT = ["filePath", "path", "command", "pattern", "url", "query", "description"];

/** `write fix.txt`, `bash npm test`: the tool and the one input that says what it touches. */
function toolEvent(part: unknown): ProgressEvent | undefined {
  const name = stringAt(part, "tool") ?? "tool";
  const what = toolSummary(name, at(part, "state.input"), SHOWN_INPUT);
  if (stringAt(part, "state.status") === "error") {
    return textEvent(`${what}: ${short(stringAt(part, "state.error") ?? "failed")}`, "error");
  }
  return textEvent(what, "tool");
}

/**
 * A step's tokens and cost. `input` excludes the cache reads and writes, as ours does; `output` excludes the
 * reasoning tokens, which are output all the same (billed as such), so they are added.
 */
function stepUsage(part: unknown): Usage {
  const output = numberAt(part, "tokens.output");
  const reasoning = numberAt(part, "tokens.reasoning");
  return {
    inputTokens: numberAt(part, "tokens.input"),
    outputTokens:
      output === undefined && reasoning === undefined ? undefined : (output ?? 0) + (reasoning ?? 0),
    cacheReadTokens: numberAt(part, "tokens.cache.read"),
    cacheWriteTokens: numberAt(part, "tokens.cache.write"),
    costUsd: numberAt(part, "cost"),
  };
}

/**
 * `{name: "APIError", data: {message: "invalid x-api-key", statusCode: 401, metadata: {url}}}` → its message,
 * with the status and the URL it came from: a wrong base URL shows at a glance.
 */
function errorText(error: unknown): string {
  const message = stringAt(error, "data.message") ?? stringAt(error, "message");
  const status = numberAt(error, "data.statusCode");
  const url = stringAt(error, "data.metadata.url");
  if (!message) return stringAt(error, "name") ?? "OpenCode reported an error";
  const where = [status !== undefined ? `HTTP ${status}` : undefined, url ? `from ${url}` : undefined];
  const detail = where.filter((w) => w !== undefined).join(" ");
  return detail ? `${message} (${detail})` : message;
}

function opencodeReader(): OutputReader {
  let usage: Usage = {};
  let turns = 0;
  // The final answer is the text of the last step that said something.
  let stepText: string[] = [];
  let summary: string | undefined;
  let error: string | undefined;
  return {
    line(line) {
      const event = jsonLine(line);
      if (!event) return textEvent(line, "info");
      const part = at(event, "part");
      switch (event.type) {
        case "step_start":
          stepText = [];
          return undefined;
        case "text": {
          const text = stringAt(part, "text")?.trim();
          if (!text) return undefined;
          stepText.push(text);
          summary = stepText.join("\n\n");
          return textEvent(text);
        }
        case "tool_use":
          return toolEvent(part);
        case "step_finish":
          turns++;
          usage = addUsage(usage, stepUsage(part));
          return undefined;
        case "error":
          error = errorText(at(event, "error"));
          return textEvent(error, "error");
        default:
          return undefined;
      }
    },
    finish(): AgentReport {
      // OpenCode reports a cost of 0 for a model it has no price for: that is "not known", not "free".
      const { costUsd, ...tokens } = usage;
      const reported = definedUsage({
        ...tokens,
        ...(costUsd ? { costUsd } : {}),
        turns: turns > 0 ? turns : undefined,
      });
      return {
        usage: reported,
        ...(summary !== undefined ? { summary } : {}),
        ...(error !== undefined ? { outcome: { kind: "agent-error", message: error } } : {}),
      };
    },
  };
}

export const opencode: AgentAdapter = {
  name: "opencode",
  install: { from: "npm", package: "opencode-ai", version: VERSION, bin: "opencode" },
  // Its default models are Anthropic's; another provider's key is named in the agent's `secrets`.
  defaultSecrets: ["ANTHROPIC_API_KEY"],
  // No turn limit it stops at (see `steps` above), and no spending limit.
  enforces: { maxTurns: false, maxBudgetUsd: false },
  problems(agent) {
    try {
      provider(agent);
      return [];
    } catch (error) {
      return [{ key: "model", message: (error as Error).message }];
    }
  },
  invocation({ agent }) {
    const providerId = provider(agent);
    return {
      argv: [
        "opencode",
        "run",
        // No plugins: none is installed from npm into HOME at every start, and none of a repository's runs.
        "--pure",
        "--format=json",
        // A title of its own, or a second model call writes one (its usage is in no event).
        "--title=flotilla",
        // Errors (a failing model API and its retries) on stderr, in the run's log as they happen.
        "--print-logs",
        "--log-level=ERROR",
        ...(agent.model !== undefined ? [`--model=${agent.model}`] : []),
      ],
      env: { OPENCODE_CONFIG_CONTENT: JSON.stringify(config(agent, providerId)) },
      promptOnStdin: true,
    };
  },
  reader: opencodeReader,
};
