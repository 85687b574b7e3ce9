import { labelKey, rewriteHiddenMarkdown } from "./hidden-markdown.js";

/**
 * Characters a reader on GitHub does not see but a model reads: format characters (zero-width spaces and
 * joiners, bidi embeddings, overrides and isolates, the BOM, soft hyphens, Unicode tag characters used for
 * "ASCII smuggling"), the supplementary variation selectors (another way to smuggle bytes), Hangul fillers,
 * and control characters other than tab and newline.
 */
const INVISIBLE = /\p{Cf}|[\u{E0100}-\u{E01EF}]|\u115F|\u1160|\u3164|\uFFA0|(?![\t\n])\p{Cc}/gu;

/** A link label (up to 999 characters, brackets only escaped), a destination, a title in any of its quotes. */
const LABEL = String.raw`\[((?:[^[\]\\]|\\[\s\S]){1,999})\]`;
const DEST = String.raw`(<[^<>\n]*>|[^\s<>]\S*)`;
const TITLE = String.raw`(?:"(?:[^"\\]|\\[\s\S])*"|'(?:[^'\\]|\\[\s\S])*'|\((?:[^()\\]|\\[\s\S])*\))`;

/**
 * A link reference definition (`[label]: url "title"`), which GitHub never shows: in a quote or a list item
 * too, its title on the next line or over several. Footnotes (`[^1]: …`) are shown, and are not matched.
 */
const DEFINITION = new RegExp(
  String.raw`(?:[ \t]*>)*[ \t]*((?:[-*+]|\d{1,9}[.)])[ \t]+)?(?!\[\^)${LABEL}:[ \t]*\n?[ \t]*${DEST}(?:(?:[ \t]+|[ \t]*\n[ \t]*)${TITLE})?[ \t]*(?:\n|$)`,
  "y",
);

/** A line after which a definition may start: blank, a heading, a thematic break, a comment (not a paragraph's). */
const ENDS_BLOCK = /^(?:[ \t]*>)*[ \t]*(?:#.*|(?:[-*_][ \t]*){3,}|=+[ \t]*|<!--.*-->[ \t]*)?$/;

/** A code fence's opening line; a backtick fence's info string cannot hold a backtick. */
const FENCE_OPEN = /^ {0,3}(?:(`{3,})[^`]*|(~{3,}).*)$/;

/** What ends a paragraph, and with it any code span: a blank line, or a line opening a comment or a fence. */
const BLOCK_BREAK = /\n[ \t]*\n|\n {0,3}(?:<!--|`{3}|~{3})/;

/** Text with nothing to look at: no line start, comment or code span can begin inside it. */
const PLAIN = /[^\n<`]+/y;

/**
 * Stands for the code block or span numbered in between while links and HTML are rewritten, so that
 * nothing shown as code is touched. Control characters are gone by then, so the text cannot hold one.
 */
const MARK_OPEN = String.fromCharCode(2);
const MARK_CLOSE = String.fromCharCode(3);
const CODE_MARK = new RegExp(`${MARK_OPEN}(\\d+)${MARK_CLOSE}`, "g");

interface Masked {
  /** The text without comments and definitions, code replaced by marks. */
  text: string;
  code: string[];
  /** Link reference definitions: normalized label → destination. */
  definitions: Map<string, string>;
}

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
 * The definition at line start `i`, if one may start there: a definition cannot interrupt a paragraph (it is
 * shown as text there), except that a comment idiom (`[//]: # (…)`, `[x]: <> (…)`) is removed wherever it is.
 */
function definitionAt(text: string, i: number, afterBlock: boolean) {
  DEFINITION.lastIndex = i;
  const match = DEFINITION.exec(text);
  if (!match || /\n[ \t]*\n/.test(match[0].replace(/\n$/, "")) || !/\S/.test(match[2] ?? ""))
    return undefined;
  const previous = text.slice(text.lastIndexOf("\n", i - 2) + 1, Math.max(i - 1, 0));
  const mayStart = i === 0 || afterBlock || match[1] !== undefined || ENDS_BLOCK.test(previous);
  const comment = match[3] === "#" || match[3] === "<>";
  if (!mayStart && !comment) return undefined;
  return { length: match[0].length, label: match[2] ?? "", dest: match[3] ?? "", mayStart };
}

/**
 * Walks the text as GitHub renders it: an HTML comment hides everything up to `-->` (or the end), including
 * what looks like a code fence, and is removed; so are link reference definitions, after noting their
 * destinations. Fenced code blocks and inline code spans show the same characters as text: they are kept,
 * behind marks, so that the later steps leave them alone.
 */
function mask(text: string): Masked {
  const masked: Masked = { text: "", code: [], definitions: new Map() };
  const keepCode = (code: string) => {
    masked.text += `${MARK_OPEN}${masked.code.length}${MARK_CLOSE}`;
    masked.code.push(code);
  };
  let afterBlock = false;
  let i = 0;
  while (i < text.length) {
    if (i === 0 || text[i - 1] === "\n") {
      const newline = text.indexOf("\n", i);
      const lineEnd = newline === -1 ? text.length : newline;
      const open = FENCE_OPEN.exec(text.slice(i, lineEnd));
      const fence = open?.[1] ?? open?.[2];
      if (fence) {
        const end = fenceEnd(text, lineEnd, fence);
        keepCode(text.slice(i, end));
        i = end;
        afterBlock = true;
        continue;
      }
      const definition = definitionAt(text, i, afterBlock);
      afterBlock = definition?.mayStart === true;
      if (definition) {
        const key = labelKey(definition.label);
        if (afterBlock && key !== undefined && !masked.definitions.has(key)) {
          masked.definitions.set(key, definition.dest);
        }
        i += definition.length;
        continue;
      }
    }
    if (text.startsWith("<!--", i)) {
      const close = text.indexOf("-->", i + 4);
      i = close === -1 ? text.length : close + 3;
      continue;
    }
    if (text[i] === "`") {
      const end = codeSpanEnd(text, i);
      keepCode(text.slice(i, end));
      i = end;
      continue;
    }
    // Up to the next newline, `<` or backtick, the only places where something hidden can start.
    PLAIN.lastIndex = i + 1;
    const end = text[i] !== "\n" && PLAIN.exec(text) ? PLAIN.lastIndex : i + 1;
    masked.text += text.slice(i, end);
    i = end;
  }
  return masked;
}

/**
 * Text from GitHub (an issue's title or body, a comment) with what a person reading it on GitHub would not
 * see removed: HTML comments and Markdown comment idioms, invisible characters, image alt text, link titles,
 * link reference definitions (references are made inline), HTML attributes that hold text (alt, title,
 * aria-label, …) and the tags of elements GitHub does not render. Everything visible stays, code blocks and
 * code spans exactly as written, so the agent reads what the person who labelled the issue read.
 */
export function sanitizeUntrusted(text: string): string {
  const masked = mask(stripInvisible(text.replace(/\r\n?/g, "\n")));
  const rewritten = rewriteHiddenMarkdown(withoutInvisibleEntities(masked.text), masked.definitions);
  return rewritten.replace(CODE_MARK, (_, n: string) => masked.code[Number(n)] ?? "");
}

/** Character references GitHub renders as nothing a reader sees, though a model reads their text. */
const ENTITY =
  /&(?:#x([0-9a-f]{1,6})|#([0-9]{1,7})|(zwj|zwnj|shy|lrm|rlm|ZeroWidthSpace|NoBreak|InvisibleTimes|InvisibleComma|ic|it));/gi;

/**
 * Outside code, an entity for an invisible character (`&#x200B;`, `&#xE0049;` — a Unicode tag character,
 * for smuggling text —, `&zwj;`) is removed like the character itself; in code it shows as written, so
 * it stays (code is masked by then).
 */
function withoutInvisibleEntities(text: string): string {
  return text.replace(ENTITY, (entity, hex?: string, dec?: string) => {
    if (!hex && !dec) return "";
    const code = Number.parseInt(hex ?? dec ?? "", hex ? 16 : 10);
    if (!(code <= 0x10ffff)) return entity;
    return stripInvisible(String.fromCodePoint(code)) === "" ? "" : entity;
  });
}

/** Removes the invisible characters only, for text shown as code (a diff), where Markdown means nothing. */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, "");
}
