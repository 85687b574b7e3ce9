/**
 * Characters a reader on GitHub does not see but a model reads: format characters (zero-width spaces and
 * joiners, bidi embeddings, overrides and isolates, the BOM, soft hyphens, Unicode tag characters used for
 * "ASCII smuggling"), the supplementary variation selectors (another way to smuggle bytes), Hangul fillers,
 * and control characters other than tab and newline.
 */
const INVISIBLE = /\p{Cf}|[\u{E0100}-\u{E01EF}]|\u115F|\u1160|\u3164|\uFFA0|(?![\t\n])\p{Cc}/gu;

/** A Markdown reference definition used as a comment (`[//]: # (hidden)`, `[comment]: <> (hidden)`). */
const COMMENT_DEFINITION = /^ {0,3}\[[^\]]+\]:[ \t]*(?:#|<>)(?:[ \t]+(?:\(.*\)|".*"|'.*'))?[ \t]*$/;

/** A code fence's opening line; a backtick fence's info string cannot hold a backtick. */
const FENCE_OPEN = /^ {0,3}(?:(`{3,})[^`]*|(~{3,}).*)$/;

/** What ends a paragraph, and with it any code span: a blank line, or a line opening a comment or a fence. */
const BLOCK_BREAK = /\n[ \t]*\n|\n {0,3}(?:<!--|`{3}|~{3})/;

/** Text with nothing to look at: no line start, comment or code span can begin inside it. */
const PLAIN = /[^\n<`]+/y;

/** Where the fenced code block opened by `fence` ends, from `from` on (the text's end when unclosed). */
function fenceEnd(text: string, from: number, fence: string): number {
  const close = new RegExp(`^ {0,3}${fence.charAt(0)}{${fence.length},}[ \\t]*$`, "gm");
  close.lastIndex = from;
  const match = close.exec(text);
  return match ? match.index + match[0].length : text.length;
}

/** Where the inline code span opened at `start` ends; an unclosed backtick run is just text. */
function codeSpanEnd(text: string, start: number): number {
  const run = /`+/y;
  run.lastIndex = start;
  const ticks = run.exec(text)?.[0] ?? "`";
  const close = new RegExp(`(?<!\`)${ticks}(?!\`)`, "g");
  close.lastIndex = start + ticks.length;
  const match = close.exec(text);
  // A code span stays inside its paragraph; a line that starts a comment or a fence ends the paragraph.
  if (!match || BLOCK_BREAK.test(text.slice(start, match.index))) return start + ticks.length;
  return match.index + ticks.length;
}

/**
 * Removes HTML comments and comment idioms, walking the text as GitHub renders it: a comment hides
 * everything up to `-->` (or the end), including what looks like a code fence; inside a fenced code block
 * or an inline code span the same characters are shown as text, and are kept.
 */
function stripComments(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    if (i === 0 || text[i - 1] === "\n") {
      const newline = text.indexOf("\n", i);
      const lineEnd = newline === -1 ? text.length : newline;
      const line = text.slice(i, lineEnd);
      const open = FENCE_OPEN.exec(line);
      const fence = open?.[1] ?? open?.[2];
      if (fence) {
        const end = fenceEnd(text, lineEnd, fence);
        out += text.slice(i, end);
        i = end;
        continue;
      }
      if (COMMENT_DEFINITION.test(line)) {
        i = lineEnd + 1;
        continue;
      }
    }
    if (text.startsWith("<!--", i)) {
      const close = text.indexOf("-->", i + 4);
      i = close === -1 ? text.length : close + 3;
      continue;
    }
    if (text[i] === "`" || text[i] === "\n") {
      const end = text[i] === "`" ? codeSpanEnd(text, i) : i + 1;
      out += text.slice(i, end);
      i = end;
      continue;
    }
    // Up to the next newline, `<` or backtick, the only places where something hidden can start.
    PLAIN.lastIndex = i + 1;
    const end = PLAIN.exec(text) ? PLAIN.lastIndex : i + 1;
    out += text.slice(i, end);
    i = end;
  }
  return out;
}

/**
 * Text from GitHub (an issue's title or body, a comment) with what a person reading it on GitHub would not
 * see removed: HTML comments, Markdown comment idioms and invisible characters. Everything visible stays,
 * fenced code blocks included, so the agent reads what the person who labelled the issue read.
 */
export function sanitizeUntrusted(text: string): string {
  const normalized = text.replace(/\r\n?/g, "\n").replace(INVISIBLE, "");
  return stripComments(normalized);
}
