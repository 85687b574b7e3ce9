import { join } from "node:path";
import type { AgentAdapter, AgentReport, OutputReader, Usage } from "./adapter.js";
import { definedUsage, textEvent } from "./read-output.js";

/**
 * `adapter: aider`: Aider (a Python CLI) run once on the prompt file (`--message-file`), plain output. Its
 * flags, what it prints and why each flag is there are in docs/agents.md (the aider section); checked against aider's
 * documentation and source for 0.86.x (it is not on npm, and PyPI is out of reach where this was written).
 */

const VERSION = "0.86.2";

/**
 * Nobody is there to answer, so every question gets a yes (shell commands excepted: aider wants an explicit
 * yes for those, so it never runs them), and everything that would ask first or phone home is off.
 */
const HEADLESS = [
  "--yes-always",
  // On first run aider asks whether it may collect analytics, and --yes-always would say yes.
  "--no-analytics",
  "--no-check-update",
  "--no-show-release-notes",
  // An unknown model's warning offers a documentation URL, which --yes-always would open.
  "--no-show-model-warnings",
  // The issue is untrusted text: aider would fetch the URLs it mentions and put them in the prompt.
  "--no-detect-urls",
  "--no-suggest-shell-commands",
];

/** Plain text, whole replies: lines we can read, and token counts from the API instead of aider's estimate. */
const PLAIN = ["--no-pretty", "--no-stream", "--no-fancy-input"];

/**
 * Flotilla collects the working tree itself, committed or not: aider's commits would need a git identity the
 * runner does not give, and its .gitignore edit would land in the pull request. Its repository map stays on
 * (it is how aider finds the files to edit); it caches it in `.aider.tags.cache.v4/` at the repository root.
 */
const GIT = ["--no-auto-commits", "--no-dirty-commits", "--no-gitignore"];

const ENV = {
  // Python's webbrowser runs $BROWSER: a URL aider offers to open (after an error) opens nothing.
  BROWSER: "true",
};

/** `2.3k` → 2300, `15k` → 15000, `1.2M` → 1200000: aider rounds its counts this way. */
function tokens(text: string): number {
  const match = /^([\d.]+)([kKmM]?)$/.exec(text.trim());
  if (!match?.[1]) return 0;
  const scale = { k: 1e3, m: 1e6 }[(match[2] ?? "").toLowerCase()] ?? 1;
  return Math.round(Number.parseFloat(match[1]) * scale);
}

/** `Tokens: 2.3k sent, 1.2k cache write, 4.5k cache hit, 150 received. Cost: $0.01 message, $0.02 session.` */
const USAGE_LINE = /^Tokens: (.+?)\.(?: Cost: \$([\d.]+) message, \$([\d.]+) session\.)?\s*$/;

interface MessageTokens {
  sent: number;
  received: number;
  cacheWrite: number;
  cacheHit: number;
}

function messageTokens(parts: string): MessageTokens {
  const counts: MessageTokens = { sent: 0, received: 0, cacheWrite: 0, cacheHit: 0 };
  for (const part of parts.split(/[,;]\s*/)) {
    const match = /^([\d.]+[kKmM]?) (sent|received|cache write|cache hit|cache read)\b/.exec(part.trim());
    if (!match?.[1] || !match[2]) continue;
    const key = { sent: "sent", received: "received", "cache write": "cacheWrite" }[match[2]] ?? "cacheHit";
    counts[key as keyof MessageTokens] += tokens(match[1]);
  }
  return counts;
}

/** The API errors LiteLLM raises, as aider prints them (`litellm.AuthenticationError: AnthropicException - …`). */
const API_ERROR = /^litellm\.[A-Za-z]+(?:Error|Exception)\b/;
/** Aider's own explanation, printed under the error: "The API provider is not able to authenticate you. …". */
const API_ERROR_HINT = /^The API provider\b/;
/** Aider retries what may pass by itself; the error before this line was not the end. */
const RETRYING = /^Retrying in [\d.]+ seconds\.\.\.$/;
/** The context window is full: aider gives up on the message. */
const TOKEN_LIMIT = /^Model .+ has hit a token limit!$/;
/** What aider says about itself when it starts: not part of what it did. */
const BANNER = /^(Aider v\d|Main model:|Weak model:|Editor model:|Git repo:|Repo-map:|Cur working dir:)/;

function short(text: string, max = 400): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Reads aider's plain output. Usage comes from its per-message `Tokens:` lines (summed; its "sent" includes the
 * cache reads and writes, taken out here) and the last `Cost: … session` (the run's total). Aider exits 0 when
 * the model API fails, so the error it printed last — unless a retry or a later reply got past it — is the
 * agent's error. The summary is the last lines of what it said, without its banner, usage lines and the code
 * blocks of its edits.
 */
function aiderReader(): OutputReader {
  const totals = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  let turns = 0;
  let costUsd: number | undefined;
  let failure: string | undefined;
  let inFence = false;
  const last: string[] = [];
  return {
    line(line) {
      const text = line.trim();
      if (!text) return undefined;
      const usage = USAGE_LINE.exec(text);
      if (usage?.[1]) {
        const m = messageTokens(usage[1]);
        totals.input += Math.max(0, m.sent - m.cacheWrite - m.cacheHit);
        totals.output += m.received;
        totals.cacheRead += m.cacheHit;
        totals.cacheWrite += m.cacheWrite;
        turns++;
        if (usage[3] !== undefined) costUsd = Number.parseFloat(usage[3]);
        failure = undefined;
        return textEvent(text, "info");
      }
      if (RETRYING.test(text)) {
        failure = undefined;
        return textEvent(text, "info");
      }
      if (API_ERROR.test(text) || TOKEN_LIMIT.test(text)) {
        failure = short(text);
        return textEvent(text, "error");
      }
      if (failure !== undefined && API_ERROR_HINT.test(text)) {
        failure = short(`${failure} (${text})`, 600);
        return textEvent(text, "error");
      }
      if (BANNER.test(text)) return textEvent(text, "info");
      const fence = text.startsWith("```");
      if (fence) inFence = !inFence;
      if (!fence && !inFence) {
        last.push(text);
        if (last.length > 5) last.shift();
      }
      return textEvent(text, text.startsWith("Applied edit to ") ? "tool" : "text");
    },
    finish(): AgentReport {
      const usage: Usage =
        turns === 0
          ? {}
          : definedUsage({
              inputTokens: totals.input,
              outputTokens: totals.output,
              cacheReadTokens: totals.cacheRead || undefined,
              cacheWriteTokens: totals.cacheWrite || undefined,
              costUsd,
              turns,
            });
      return {
        usage,
        ...(last.length > 0 ? { summary: last.join("\n") } : {}),
        ...(failure !== undefined ? { outcome: { kind: "agent-error", message: failure } } : {}),
      };
    },
  };
}

export const aider: AgentAdapter = {
  name: "aider",
  install: { from: "pip", package: "aider-chat", version: VERSION, bin: "aider" },
  // Its repository map's cache: at the repository root, whatever the options say.
  scratchPaths: [".aider.tags.cache.v4/"],
  // With this key and no model, aider picks its default Claude model; other providers name their key and model.
  defaultSecrets: ["ANTHROPIC_API_KEY"],
  // Aider has no turn or spending limit of its own.
  enforces: { maxTurns: false, maxBudgetUsd: false },
  invocation({ agent, promptFile, home }) {
    return {
      argv: [
        "aider",
        `--message-file=${promptFile}`,
        ...HEADLESS,
        ...PLAIN,
        ...GIT,
        // Its history files go to the session's HOME, not the repository (they would be published).
        `--chat-history-file=${join(home, ".aider.chat.history.md")}`,
        `--input-history-file=${join(home, ".aider.input.history")}`,
        ...(agent.model ? [`--model=${agent.model}`] : []),
        ...(agent.baseUrl ? [`--openai-api-base=${agent.baseUrl}`] : []),
      ],
      // LiteLLM takes Anthropic's base URL from the environment; --openai-api-base covers the OpenAI-style rest.
      env: { ...ENV, ...(agent.baseUrl ? { ANTHROPIC_API_BASE: agent.baseUrl } : {}) },
    };
  },
  reader: aiderReader,
};
