/**
 * Markdown for text Flotilla did not write (agent output, issue titles, file paths, error reasons): every
 * helper here makes such text show as written, so it cannot close a fence, hide content in an HTML comment,
 * mention people, link or close issues.
 */

/** GitHub's limit for the body of an issue, a comment or a pull request, in characters. */
export const GITHUB_BODY_LIMIT = 65_536;

// Terminal escapes (colours, cursor moves, titles) are noise once the output is on a web page.
const ANSI = new RegExp(
  [
    "\\u001b\\[[0-?]*[ -/]*[@-~]", // CSI: colours, cursor
    "\\u001b\\][^\\u0007\\u001b]*(?:\\u0007|\\u001b\\\\)", // OSC: window titles, hyperlinks
    "\\u001b[@-_]", // any other two-character escape
  ].join("|"),
  "g",
);
// C0 controls except tab and newline, DEL and C1 controls: GitHub shows them as garbage or drops the body.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point here.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// Invisible characters that can make text read differently from what it is (bidi overrides, "Trojan
// Source") or hide words from a reader (zero-width, soft hyphen, BOM).
const INVISIBLE = /[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/**
 * Text as a reader should see it: line endings normalised (a carriage return keeps what a terminal would
 * show last), terminal escapes, control characters and invisible formatting characters removed.
 */
export function cleanText(text: string): string {
  return text
    .replace(ANSI, "")
    .replace(/\r\n/g, "\n")
    .split("\n")
    .map((line) => line.slice(line.lastIndexOf("\r") + 1))
    .join("\n")
    .replace(CONTROL, "")
    .replace(INVISIBLE, "");
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}

/**
 * A fenced code block that nothing in `text` can close: the fence is one backtick longer than the longest
 * backtick run inside (a closing fence must be at least as long as the opening one, and tildes never close a
 * backtick fence). Inside it GitHub renders no HTML, mentions or references.
 */
export function codeFence(text: string, info = "text"): string {
  const clean = cleanText(text);
  const fence = "`".repeat(Math.max(3, longestRun(clean, "`") + 1));
  const body = clean.endsWith("\n") ? clean : `${clean}\n`;
  return `${fence}${info}\n${body}${fence}`;
}

/**
 * An inline code span showing `text` literally (a file path, an agent name). Line breaks and other controls
 * are shown as escapes, since a blank line would end the span and the paragraph around it.
 */
export function inlineCode(text: string): string {
  const visible = text
    .replace(/\n/g, "\\n")
    .replace(/\t/g, "\\t")
    .replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)
    .replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const ticks = "`".repeat(longestRun(visible, "`") + 1);
  // CommonMark strips one space on each side when both are there, and a backtick at an edge would merge
  // with the delimiter: padding keeps the content exactly as it is.
  const pad = /^`|`$/.test(visible) || (/^ /.test(visible) && / $/.test(visible)) ? " " : "";
  return `${ticks}${pad}${visible}${pad}${ticks}`;
}

const ZERO_WIDTH_SPACE = "\u200b";

/**
 * `@mentions` and issue references (`#123`, `GH-123`) broken with a zero-width space, so text can neither
 * notify people nor link issues, nor close one through a closing keyword ("fixes #5") once it lands in a
 * pull request body or a squash-merge commit message. For plain-text fields such as titles.
 */
export function breakReferences(text: string): string {
  return text
    .replace(/@(?=[\w-])/g, `@${ZERO_WIDTH_SPACE}`)
    .replace(/#(?=\d)/g, `#${ZERO_WIDTH_SPACE}`)
    .replace(/\bGH(\\?-)(?=\d)/gi, (m, dash: string) => `${m.slice(0, 2)}${ZERO_WIDTH_SPACE}${dash}`);
}

/**
 * Untrusted text rendered as plain text in Markdown: Markdown and HTML escaped, mentions and references
 * broken ({@link breakReferences}). Line breaks are kept: GitHub shows them in comments and pull request bodies.
 */
export function plainText(text: string): string {
  // Every ASCII punctuation mark that can start Markdown or HTML syntax; a backslash makes it literal.
  const escaped = cleanText(text).replace(/[\\`*_{}[\]()#+\-.!|~<>&=:]/g, "\\$&");
  // Escaping is not enough for mentions and references: GitHub finds those in the rendered text.
  return breakReferences(escaped);
}

/**
 * At most `max` characters of `text` (UTF-16 code units, which never undercounts GitHub's characters),
 * ending in `marker` when something was cut. A surrogate pair is never split.
 */
export function truncate(text: string, max: number, marker = "…"): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - marker.length);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}${marker}`;
}

/**
 * The last `maxLines` lines of `text` (a trailing newline does not count as a line), each cut to
 * `maxLineLength`, and how many lines were left out before them.
 */
export function lastLines(
  text: string,
  maxLines: number,
  maxLineLength = 400,
): { lines: string[]; omitted: number } {
  const all = text.replace(/\n$/, "").split("\n");
  if (all.length === 1 && all[0] === "") return { lines: [], omitted: 0 };
  const lines = all.slice(Math.max(0, all.length - maxLines)).map((l) => truncate(l, maxLineLength));
  return { lines, omitted: all.length - lines.length };
}
