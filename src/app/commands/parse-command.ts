import { truncate } from "../../publish/markdown.js";
import { stripInvisible } from "../../runner/sanitize.js";

/**
 * `/agent …` commands in issue comments, pull request comments and review bodies. Parsing is pure: which
 * agents exist, who may give commands and what a command does are the caller's business.
 */

export type AgentCommand =
  /** `/agent <free text>` on a pull request: another pass on it, with the text as feedback. */
  | { kind: "iterate"; text: string }
  /** `/agent use <agent> [text]`. */
  | { kind: "use"; agent: string; text: string }
  /** `/agent run <agent> [text]`. */
  | { kind: "run"; agent: string; text: string }
  /** `/agent race <agent> <agent> …`: 2 to 5 distinct agents. */
  | { kind: "race"; agents: string[] }
  /** `/agent pick <agent>`. */
  | { kind: "pick"; agent: string }
  | { kind: "retry" }
  | { kind: "stop" }
  | { kind: "judge" }
  | { kind: "status" }
  | { kind: "help" }
  /** Bad usage. `word` is what was typed (untrusted); `problem` may quote it, so render it as plain text. */
  | { kind: "unknown"; word: string; problem: string };

/** The words that may follow `/agent`; anything else is free text. */
export const COMMAND_WORDS = [
  "use",
  "run",
  "race",
  "pick",
  "retry",
  "stop",
  "judge",
  "status",
  "help",
] as const;

/** Most characters of free text passed on: enough for feedback with pasted output, not a whole log. */
export const MAX_COMMAND_TEXT = 8_000;

const AGENT_NAME = /^[a-z0-9][a-z0-9-]*$/;
const MIN_RACE = 2;
const MAX_RACE = 5;

/** `/agent` at a line's start (more than 3 spaces makes an indented code block), then a space or the end. */
const COMMAND_LINE = /^ {0,3}\/agent(?:\s+(.*))?$/is;
const QUOTE = /^ {0,3}>/;
const QUOTE_MARKERS = /^(?: {0,3}>)+ ?/;
/** A code fence's opening line; a backtick fence's info string cannot hold a backtick. */
const FENCE_OPEN = /^ {0,3}(?:(`{3,})[^`]*|(~{3,}).*)$/;
/** A line that ends a paragraph, and so a quote's lazy continuation: heading, list item, thematic break. */
const INTERRUPTS = /^ {0,3}(?:#{1,6}(?:[ \t]|$)|[-*+][ \t]+\S|1[.)][ \t]+\S|(?:[-*_][ \t]*){3,}$)/;
/** An inline code span, where `<!--` is text; the lookbehind keeps a run of backticks whole. */
const CODE_SPAN = /(?<!`)(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g;
/** Punctuation people put after a word ("/agent stop!", "race claude, codex."), not part of it. */
const TRAILING_PUNCTUATION = /[.,!?;:]+$/;

type LineKind = "text" | "code" | "quote" | "hidden";

/**
 * The command in a comment or review body: the first line, outside code, block quotes and HTML comments,
 * that starts with `/agent`. Quoting someone's command is not giving one, and text GitHub hides or shows
 * as code is never read as one. `undefined` when there is none.
 */
export function parseCommand(body: string, where: "issue" | "pull"): AgentCommand | undefined {
  // What a reader sees: invisible characters could otherwise split or disguise `/agent`.
  const lines = stripInvisible(body.replace(/\r\n?/g, "\n")).split("\n");
  const kinds = classifyLines(lines);
  const at = lines.findIndex((line, i) => kinds[i] === "text" && COMMAND_LINE.test(line));
  if (at === -1) return undefined;
  const rest = (COMMAND_LINE.exec(lines[at] ?? "")?.[1] ?? "").trim();
  // Quoted lines after the command are someone else's words; code pasted below it (error output) is kept.
  const following = lines.slice(at + 1).filter((_, i) => kinds[at + 1 + i] !== "quote");
  return interpret(rest, following, where);
}

function interpret(rest: string, following: string[], where: "issue" | "pull"): AgentCommand {
  if (rest === "") return { kind: "help" };
  const [typed, args] = firstWord(rest);
  const word = typed.toLowerCase().replace(TRAILING_PUNCTUATION, "");
  const freeText = (text: string) => truncate([text, ...following].join("\n").trim(), MAX_COMMAND_TEXT);
  switch (word) {
    case "retry":
    case "stop":
    case "judge":
    case "status":
    case "help":
      return { kind: word };
    case "use":
    case "run": {
      const [name, text] = firstWord(args);
      const agent = agentName(word, name);
      return typeof agent === "string" ? { kind: word, agent, text: freeText(text) } : agent;
    }
    case "pick": {
      const agent = agentName(word, firstWord(args)[0]);
      return typeof agent === "string" ? { kind: "pick", agent } : agent;
    }
    case "race":
      return race(args);
  }
  if (where === "issue")
    return {
      kind: "unknown",
      word: shown(typed),
      problem: `Free text works on a pull request, where an agent revises its work. On an issue, start an agent with "/agent run <agent>", optionally followed by instructions.`,
    };
  // A lone word is more likely a mistyped command ("/agent stpo") than feedback worth an agent run.
  if (args === "" && following.join("").trim() === "")
    return {
      kind: "unknown",
      word: shown(typed),
      problem: `"${shown(typed)}" is not a command. The commands are ${COMMAND_WORDS.join(", ")}; or write your feedback as a sentence.`,
    };
  return { kind: "iterate", text: freeText(rest) };
}

function race(args: string): AgentCommand {
  const agents: string[] = [];
  for (const typed of args.split(/[\s,]+/).filter((w) => w !== "")) {
    const agent = agentName("race", typed);
    if (typeof agent !== "string") return agent;
    if (!agents.includes(agent)) agents.push(agent);
  }
  if (agents.length < MIN_RACE || agents.length > MAX_RACE)
    return {
      kind: "unknown",
      word: "race",
      problem: `"/agent race" needs ${MIN_RACE} to ${MAX_RACE} different agents, separated by spaces.`,
    };
  return { kind: "race", agents };
}

/** The agent name `typed` after `/agent <word>`, lowercased, or why it is not one. */
function agentName(word: string, typed: string): string | AgentCommand {
  const name = typed.toLowerCase().replace(TRAILING_PUNCTUATION, "");
  if (name === "") return { kind: "unknown", word, problem: `"/agent ${word}" needs the name of an agent.` };
  if (!AGENT_NAME.test(name))
    return {
      kind: "unknown",
      word,
      problem: `"${shown(typed)}" is not an agent name: names are lowercase letters, digits and dashes.`,
    };
  return name;
}

/** The first whitespace-separated word of `text` and what follows it (trimmed at the start). */
function firstWord(text: string): [string, string] {
  const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(text);
  return [match?.[1] ?? "", match?.[2] ?? ""];
}

/** Typed text quoted back in a problem, cut so that a long one cannot fill the reply. */
function shown(typed: string): string {
  return truncate(typed, 40);
}

/**
 * What each line is as GitHub renders it: inside a fenced code block (`code`), in a block quote, nested or
 * continued lazily on the next lines (`quote`), starting inside an HTML comment (`hidden`), or `text`. Where
 * this is unsure, it errs towards not-text: a missed command is better than one nobody gave.
 */
function classifyLines(lines: string[]): LineKind[] {
  let fence: string | undefined;
  let quoteFence: string | undefined;
  let lazyQuote = false;
  let inComment = false;
  return lines.map((line): LineKind => {
    if (fence !== undefined) {
      if (closesFence(line, fence)) fence = undefined;
      return "code";
    }
    if (inComment) {
      inComment = commentOpenAfter(line, true);
      return "hidden";
    }
    if (QUOTE.test(line)) {
      const content = line.replace(QUOTE_MARKERS, "");
      if (quoteFence !== undefined) {
        if (closesFence(content, quoteFence)) quoteFence = undefined;
      } else quoteFence = fenceOpened(content);
      lazyQuote = quoteFence === undefined && content.trim() !== "";
      return "quote";
    }
    // An unquoted line ends the quote, and any code block inside it, unless it continues a quoted paragraph.
    quoteFence = undefined;
    if (line.trim() === "") lazyQuote = false;
    if (lazyQuote && !INTERRUPTS.test(line) && fenceOpened(line) === undefined) return "quote";
    lazyQuote = false;
    fence = fenceOpened(line);
    if (fence !== undefined) return "code";
    inComment = commentOpenAfter(line, false);
    return "text";
  });
}

function fenceOpened(line: string): string | undefined {
  const open = FENCE_OPEN.exec(line);
  return open?.[1] ?? open?.[2];
}

/** A closing fence: the opening one's character, at least as many, nothing after but spaces. */
function closesFence(line: string, fence: string): boolean {
  const run = /^ {0,3}(`+|~+)[ \t]*$/.exec(line)?.[1];
  return run !== undefined && run.charAt(0) === fence.charAt(0) && run.length >= fence.length;
}

/** Whether an HTML comment is still open at the end of `line`, given whether one was open at its start. */
function commentOpenAfter(line: string, open: boolean): boolean {
  let rest = line;
  for (;;) {
    if (open) {
      const end = rest.indexOf("-->");
      if (end === -1) return true;
      rest = rest.slice(end + 3);
      open = false;
    } else {
      // Code spans keep their length, so that positions found without them hold in `rest`.
      const start = rest.replace(CODE_SPAN, (span) => " ".repeat(span.length)).indexOf("<!--");
      if (start === -1) return false;
      rest = rest.slice(start + 4);
      open = true;
    }
  }
}
