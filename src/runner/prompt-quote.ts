import type { Fitted } from "./prompt-budget.js";

/**
 * Quotes go between these tags; the same tags inside a quoted text are defused (`<` → `&lt;`) so that the
 * text cannot close its quote early and speak as the prompt. `ci` (which covers `ci-output`) and
 * `criteria` are the judge's (src/judge/judge-prompt.ts).
 */
const QUOTE_TAG = /<(\/?)(issue|comment|feedback|diff|ci|criteria)\b/gi;

function defused(text: string): string {
  return text.replace(QUOTE_TAG, "&lt;$1$2");
}

/** Attributes from GitHub (a login, a time), each value reduced to characters that cannot end the tag. */
function attributes(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` ${name}="${String(value).replace(/[^\w.:+\-[\]]/g, "")}"`)
    .join("");
}

/** A text quoted between `<tag …>` and `</tag>`, with a mark where it was cut. */
export function quote(
  tag: string,
  values: Record<string, string | number | undefined>,
  fitted: Fitted,
): string {
  const cut = fitted.fit === "cut" ? "\n[…]" : "";
  return `<${tag}${attributes(values)}>\n${defused(fitted.text)}${cut}\n</${tag}>\n`;
}

/** A diff as a code block in `<diff>`, fenced longer than any backtick run in it so that it stays one block. */
export function quoteDiff(fitted: Fitted): string {
  const longest = Math.max(2, ...(fitted.text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const cut = fitted.fit === "cut" ? "[… the rest of the diff is left out]\n" : "";
  return `<diff>\n${fence}diff\n${defused(fitted.text)}\n${fence}\n${cut}</diff>\n`;
}
