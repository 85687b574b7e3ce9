import type { AgentAdapter, AgentReport, OutputReader, ProgressEvent, Usage } from "./adapter.js";
import { addUsage, at, type Json, jsonLine, numberAt, stringAt } from "./read-output.js";

/**
 * `adapter: claude`: Claude Code in print mode (`claude -p`), the prompt on stdin, its output as stream-json
 * (one JSON event a line; the last is the `result`). Flags, environment and what its output means are
 * documented in docs/agents.md (the claude section), checked against 2.1.332.
 */

/**
 * Claude Code cannot ask anyone in a headless run, so whatever would prompt is denied and the model is told.
 * `acceptEdits` lets Write/Edit change files in the workspace, and `--allowedTools Bash` lets it run
 * commands (tests, builds). Not `bypassPermissions`: as root it refuses to start unless told IS_SANDBOX=1,
 * which the local backend is not, and it would drop Claude Code's own guards that cost the task nothing —
 * writes outside the workspace or to .git and .claude are refused, and web tools are off. Bash can still
 * reach anything the user can: the runner (its environment allowlist, an ephemeral runner) is the boundary.
 */
const PERMISSIONS = ["--permission-mode", "acceptEdits", "--allowedTools", "Bash"];

const ENV = {
  // The CLI is pinned; it must not update itself in the middle of a run.
  DISABLE_AUTOUPDATER: "1",
  // No telemetry, error reports or connectivity checks: an agent's only traffic is its model API.
  DISABLE_TELEMETRY: "1",
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  // Its default (10, with backoff) keeps a run waiting for minutes on a dead endpoint; three rides out a blip.
  CLAUDE_CODE_MAX_RETRIES: "3",
};

const SHOWN_INPUT = [
  "file_path",
  "notebook_path",
  "path",
  "command",
  "pattern",
  "url",
  "query",
  "description",
];

function short(text: string, max = 120): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > max || text.includes("\n") ? `${line.slice(0, max)}…` : line;
}

/** `Write src/a.ts`, `Bash npm test`: the tool and the one input that says what it touches. */
function toolLine(block: Json): string {
  const name = stringAt(block, "name") ?? "tool";
  const key = SHOWN_INPUT.find((k) => typeof at(block, `input.${k}`) === "string");
  return key ? `${name} ${short(stringAt(block, `input.${key}`) ?? "")}` : name;
}

/** Usage in Claude Code's API shape (an assistant message's or the result's `usage`). */
function apiUsage(usage: unknown): Usage {
  return {
    inputTokens: numberAt(usage, "input_tokens"),
    outputTokens: numberAt(usage, "output_tokens"),
    cacheReadTokens: numberAt(usage, "cache_read_input_tokens"),
    cacheWriteTokens: numberAt(usage, "cache_creation_input_tokens"),
  };
}

/**
 * The result's token counts. `modelUsage` (per model, summed) is preferred: it counts every model the run
 * used, and 2.1.332 zeroes `usage` in an `error_max_budget_usd` result while `modelUsage` keeps the counts.
 */
function resultTokens(result: Json): Usage {
  const models = at(result, "modelUsage");
  const entries = models !== null && typeof models === "object" ? Object.values(models) : [];
  if (entries.length === 0) return apiUsage(result.usage);
  return entries.reduce<Usage>(
    (sum, m) =>
      addUsage(sum, {
        inputTokens: numberAt(m, "inputTokens"),
        outputTokens: numberAt(m, "outputTokens"),
        cacheReadTokens: numberAt(m, "cacheReadInputTokens"),
        cacheWriteTokens: numberAt(m, "cacheCreationInputTokens"),
      }),
    {},
  );
}

function resultOutcome(result: Json): AgentReport["outcome"] {
  const subtype = stringAt(result, "subtype");
  const errors = at(result, "errors");
  const said = Array.isArray(errors) ? errors.filter((e) => typeof e === "string").join("; ") : "";
  if (subtype === "error_max_turns") {
    return {
      kind: "limit",
      limit: "turns",
      message: `Claude Code stopped at its turn limit: ${said || subtype}.`,
    };
  }
  if (subtype === "error_max_budget_usd") {
    return {
      kind: "limit",
      limit: "budget",
      message: `Claude Code stopped at its budget: ${said || subtype}.`,
    };
  }
  if (subtype !== "success" && subtype !== undefined)
    return { kind: "agent-error", message: said || subtype };
  // `subtype: success` with `is_error: true` is how it reports an API failure (auth, connection, overload).
  if (result.is_error === true) {
    return {
      kind: "agent-error",
      message: stringAt(result, "result") || said || "Claude Code reported an error",
    };
  }
  return undefined;
}

function claudeReader(): OutputReader {
  let result: Json | undefined;
  let lastText: string | undefined;
  // Without a result (killed, crashed), usage is summed from assistant messages. Claude Code prints one event
  // per content block, each repeating its message's usage, so a message counts once, when the next begins.
  let streamed: Usage = {};
  let current: { id: string; usage: Usage } | undefined;

  const assistant = (event: Json): ProgressEvent | undefined => {
    const id = stringAt(event, "message.id");
    if (id && id !== current?.id) {
      if (current) streamed = addUsage(streamed, current.usage);
      current = { id, usage: apiUsage(at(event, "message.usage")) };
    }
    const content = at(event, "message.content");
    // Only objects: a line the agent forged (its shell can write to the CLI's stdout) may hold anything.
    const blocks = Array.isArray(content)
      ? (content.filter((b) => b !== null && typeof b === "object") as Json[])
      : [];
    const lines: string[] = [];
    let kind: ProgressEvent["kind"] = event.error ? "error" : "text";
    for (const block of blocks) {
      if (block.type === "text" && typeof block.text === "string" && block.text.trim()) {
        lastText = block.text.trim();
        lines.push(lastText);
      } else if (block.type === "tool_use") {
        if (kind === "text") kind = "tool";
        lines.push(toolLine(block));
      }
    }
    return lines.length > 0 ? { kind, text: lines.join("\n") } : undefined;
  };

  const system = (event: Json): ProgressEvent | undefined => {
    switch (event.subtype) {
      case "init":
        return {
          kind: "info",
          text: `Claude Code ${stringAt(event, "claude_code_version") ?? ""}, model ${stringAt(event, "model") ?? "default"}`,
        };
      case "api_retry":
        return {
          kind: "info",
          text: `model API error ${numberAt(event, "error_status") ?? stringAt(event, "error") ?? ""}, retry ${numberAt(event, "attempt") ?? "?"} of ${numberAt(event, "max_retries") ?? "?"}`,
        };
      case "permission_denied":
        return { kind: "error", text: short(stringAt(event, "message") ?? "a tool call was denied") };
      default:
        return undefined;
    }
  };

  return {
    line(line) {
      const event = jsonLine(line);
      if (!event) return line.trim() ? { kind: "info", text: line.trim() } : undefined;
      switch (event.type) {
        case "assistant":
          return assistant(event);
        case "system":
          return system(event);
        case "result":
          result = event;
          return undefined;
        default:
          return undefined;
      }
    },
    finish(): AgentReport {
      if (!result) {
        const usage = current ? addUsage(streamed, current.usage) : streamed;
        return {
          usage,
          ...(lastText !== undefined ? { summary: lastText } : {}),
          outcome: { kind: "agent-error", message: "Claude Code ended without its result event" },
        };
      }
      const usage = addUsage(resultTokens(result), {
        costUsd: numberAt(result, "total_cost_usd"),
        turns: numberAt(result, "num_turns"),
      });
      const summary = stringAt(result, "result") ?? lastText;
      const outcome = resultOutcome(result);
      return { usage, ...(summary !== undefined ? { summary } : {}), ...(outcome ? { outcome } : {}) };
    },
  };
}

export const claude: AgentAdapter = {
  name: "claude",
  install: { from: "npm", package: "@anthropic-ai/claude-code", version: "2.1.332", bin: "claude" },
  defaultSecrets: ["ANTHROPIC_API_KEY"],
  enforces: { maxTurns: true, maxBudgetUsd: true },
  invocation({ agent }) {
    // `--flag=value`, so a value that starts with a dash is never read as another flag. No prompt argument:
    // `-p` reads it from stdin. `--append-system-prompt` is not used: the task prompt already says it all.
    const argv = ["claude", "-p", "--output-format", "stream-json", "--verbose", ...PERMISSIONS];
    // Nothing of the session is kept on disk (transcripts hold the prompt and tool output); HOME goes anyway.
    argv.push("--no-session-persistence");
    if (agent.model !== undefined) argv.push(`--model=${agent.model}`);
    if (agent.maxTurns !== undefined) argv.push(`--max-turns=${agent.maxTurns}`);
    if (agent.maxBudgetUsd !== undefined) argv.push(`--max-budget-usd=${agent.maxBudgetUsd}`);
    return {
      argv,
      env: { ...ENV, ...(agent.baseUrl !== undefined ? { ANTHROPIC_BASE_URL: agent.baseUrl } : {}) },
      promptOnStdin: true,
    };
  },
  reader: claudeReader,
};
