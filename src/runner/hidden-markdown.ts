/**
 * The inline half of sanitizing: links, images and HTML tags rewritten to what GitHub shows, once comments,
 * definitions and code are out of the way. It sees only text in which code is already behind marks.
 */

/** Inline text up to the next escape, link, image or HTML tag. */
const INLINE_PLAIN = /[^\\[!<]+/y;

/**
 * HTML attributes that only say where something is or how it is laid out; the others (alt, title,
 * aria-label, …) hold text no reader sees.
 */
const KEPT_ATTRIBUTES = new Set(
  "href src srcset media width height align valign colspan rowspan open start reversed type".split(" "),
);

/** Elements GitHub renders; it removes the tags of any other (`<system>`, `<foo bar="…">`), keeping what is between. */
const SHOWN_ELEMENTS = new Set(
  `a abbr b bdo blockquote br caption cite code dd del details dfn div dl dt em figcaption figure h1 h2 h3 h4
  h5 h6 hr i img ins kbd li mark ol p picture pre q rp rt ruby s samp small source span strike strong sub
  summary sup table tbody td tfoot th thead time tr tt ul var wbr`.split(/\s+/),
);

/** Elements GitHub shows as text, `<` and all (GFM's tag filter): left as they are. */
const SHOWN_AS_TEXT = new Set("iframe noembed noframes plaintext script style textarea title xmp".split(" "));

/** A label as GitHub matches it: case and runs of whitespace do not count; a label has at most 999 characters. */
export function labelKey(label: string): string | undefined {
  return label.length > 999 ? undefined : label.trim().replace(/\s+/g, " ").toLowerCase();
}

/** Each `[` paired with its `]`, escapes skipped; brackets do not pair across a blank line. */
function pairBrackets(text: string): Map<number, number> {
  const pairs = new Map<number, number>();
  let open: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === "[") open.push(i);
    else if (c === "]") {
      const start = open.pop();
      if (start !== undefined) pairs.set(start, i);
    } else if (c === "\n" && /^[ \t]*\n/.test(text.slice(i + 1, i + 64))) open = [];
  }
  return pairs;
}

/** Past spaces and tabs with at most one line break among them. */
function skipSpace(text: string, i: number): number {
  const space = /[ \t]*(?:\n[ \t]*)?/y;
  space.lastIndex = i;
  space.exec(text);
  return space.lastIndex;
}

/** An inline link's `(destination "title")` at `i`: the destination, and where the parenthesis closes. */
function inlineTarget(text: string, i: number, to: number): { dest: string; end: number } | undefined {
  if (text[i] !== "(") return undefined;
  let j = skipSpace(text, i + 1);
  const start = j;
  if (text[j] === "<") {
    const close = text.indexOf(">", j);
    if (close === -1 || close >= to || /[\n<]/.test(text.slice(j + 1, close))) return undefined;
    j = close + 1;
  } else {
    // Parentheses in a destination nest at most 32 deep, as in cmark; it also bounds the search.
    for (let depth = 0; j < to && !/\s/.test(text[j] ?? ""); j++) {
      if (text[j] === "\\") j++;
      else if (text[j] === "(" && ++depth > 32) return undefined;
      else if (text[j] === ")" && depth-- === 0) break;
    }
  }
  const dest = text.slice(start, j);
  const title = skipSpace(text, j);
  const quote = text[title];
  if (title > j && (quote === '"' || quote === "'" || quote === "(")) {
    const closing = quote === "(" ? ")" : quote;
    let k = title + 1;
    while (k < to && text[k] !== closing && !(quote === "(" && text[k] === "(")) {
      k += text[k] === "\\" ? 2 : 1;
    }
    if (k >= to || text[k] !== closing || /\n[ \t]*\n/.test(text.slice(title, k))) return undefined;
    j = skipSpace(text, k + 1);
  } else j = title;
  return text[j] === ")" && j < to ? { dest, end: j + 1 } : undefined;
}

interface Inline {
  text: string;
  pairs: Map<number, number>;
  definitions: Map<string, string>;
}

/** The destination a reference label stands for, if it is defined. */
function defined(inline: Inline, label: string): string | undefined {
  const key = inline.definitions.size > 0 ? labelKey(label) : undefined;
  return key === undefined ? undefined : inline.definitions.get(key);
}

/**
 * The link or image at `i`, rewritten to show only what a reader sees: an image keeps its destination
 * only (its alt text is not shown), a link keeps its text and destination (its title is a tooltip), and a
 * reference becomes inline so that the definitions, which are never shown, are not needed.
 */
function linkAt(inline: Inline, i: number, to: number): { text: string; end: number } | undefined {
  const { text, pairs } = inline;
  const image = text[i] === "!";
  const open = image ? i + 1 : i;
  const close = pairs.get(open);
  if (close === undefined || close >= to) return undefined;
  let target = inlineTarget(text, close + 1, to);
  const labelClose = text[close + 1] === "[" ? pairs.get(close + 1) : undefined;
  if (!target && labelClose !== undefined && labelClose < to) {
    const label = text.slice(close + 2, labelClose);
    const dest = defined(inline, /\S/.test(label) ? label : text.slice(open + 1, close));
    if (dest !== undefined) target = { dest, end: labelClose + 1 };
  }
  if (!target) {
    const dest = defined(inline, text.slice(open + 1, close));
    if (dest !== undefined) target = { dest, end: close + 1 };
  }
  if (!target) return undefined;
  const shown = image ? "!" : `[${rewriteInline(inline, open + 1, close)}`;
  return { text: `${shown}${image ? "[" : ""}](${target.dest})`, end: target.end };
}

/**
 * The HTML tag at `i` as GitHub shows it: a start tag with only the attributes in KEPT_ATTRIBUTES, and no
 * tag at all for an element GitHub does not render. A quote that is never closed runs to the end, as in a
 * browser; what is not a tag (`a <b`, `<https://…>`) is not touched.
 */
function tagAt(text: string, i: number, to: number): { text: string; end: number } | undefined {
  const start = /<(\/?)([A-Za-z][A-Za-z0-9-]*)/y;
  start.lastIndex = i;
  const tag = start.exec(text);
  const name = tag?.[2]?.toLowerCase() ?? "";
  if (!tag || SHOWN_AS_TEXT.has(name)) return undefined;
  const shown = (markup: string, end: number) => ({ text: SHOWN_ELEMENTS.has(name) ? markup : "", end });
  if (tag[1] === "/") {
    const close = /\s*>/y;
    close.lastIndex = start.lastIndex;
    return close.exec(text) && close.lastIndex <= to
      ? shown(text.slice(i, close.lastIndex), close.lastIndex)
      : undefined;
  }
  let out = tag[0];
  let j = start.lastIndex;
  const attribute = /(\s+)([^\s"'<>/=]+)(?:\s*=\s*(?:"[^"]*("?)|'[^']*('?)|[^\s"'=<>`]+))?/y;
  for (;;) {
    const end = /\s*\/?>/y;
    end.lastIndex = j;
    if (end.exec(text) && end.lastIndex <= to)
      return shown(out + text.slice(j, end.lastIndex), end.lastIndex);
    attribute.lastIndex = j;
    const match = attribute.exec(text);
    if (!match || attribute.lastIndex > to) return undefined;
    if (KEPT_ATTRIBUTES.has((match[2] ?? "").toLowerCase())) out += match[0];
    j = attribute.lastIndex;
    if (match[3] === "" || match[4] === "") return shown(`${out}>`, to);
  }
}

/** Rewrites links, images and HTML tags from `from` to `to`; escaped characters are left as they are. */
function rewriteInline(inline: Inline, from: number, to: number): string {
  const { text } = inline;
  let out = "";
  let i = from;
  while (i < to) {
    const c = text[i];
    const found =
      c === "[" || (c === "!" && text[i + 1] === "[")
        ? linkAt(inline, i, to)
        : c === "<"
          ? tagAt(text, i, to)
          : undefined;
    if (found) {
      out += found.text;
      i = found.end;
      continue;
    }
    INLINE_PLAIN.lastIndex = i + 1;
    const end = c === "\\" ? i + 2 : INLINE_PLAIN.exec(text) ? INLINE_PLAIN.lastIndex : i + 1;
    out += text.slice(i, Math.min(end, to));
    i = end;
  }
  return out;
}

/** The whole of `text` rewritten; `definitions` (normalized label → destination) resolve its references. */
export function rewriteHiddenMarkdown(text: string, definitions: Map<string, string>): string {
  return rewriteInline({ text, definitions, pairs: pairBrackets(text) }, 0, text.length);
}
