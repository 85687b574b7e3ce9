import { sanitizeUntrusted } from "../runner/sanitize.js";

/**
 * The acceptance criteria an issue states, for the judge to check one by one: the list under a heading
 * such as "Acceptance criteria" or "Definition of done", and task-list items (`- [ ] …`) anywhere.
 */

export const MAX_ACCEPTANCE_CRITERIA = 30;
export const MAX_ACCEPTANCE_CRITERION_LENGTH = 500;

const SECTION_NAME = /acceptance|criteria|definition of done|requirements/i;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
/** A line that is only bold text, colon inside or out: `**Acceptance criteria:**`, `__Done when__:`. */
const BOLD_LINE = /^ {0,3}(\*\*|__)(.+?)\1[ \t]*:?[ \t]*$/;
const LIST_ITEM = /^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(\[[ xX]\][ \t]+)?(.*)$/;
const TASK_ITEM = /^\[[ xX]\](?:[ \t]+|$)/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** A bold line counts as a heading below every real one: any heading, or another bold line, ends its section. */
const BOLD_LEVEL = 7;

function tidy(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > MAX_ACCEPTANCE_CRITERION_LENGTH
    ? `${flat.slice(0, MAX_ACCEPTANCE_CRITERION_LENGTH - 1)}…`
    : flat;
}

/**
 * The criteria, trimmed, without checkboxes, each once, in order, at most 30 of 500 characters each. The
 * body is read as GitHub shows it (sanitizeUntrusted), so a criterion hidden in an HTML comment does not
 * count; items in fenced code blocks are examples, not criteria. An item's indented continuation lines are
 * part of it.
 */
export function acceptanceCriteria(issueBody: string): string[] {
  const items: string[] = [];
  let section: number | undefined;
  let fence: string | undefined;
  let last: number | undefined;
  for (const line of sanitizeUntrusted(issueBody).split("\n")) {
    if (fence !== undefined) {
      const close = FENCE.exec(line)?.[1];
      if (close?.startsWith(fence.charAt(0)) && close.length >= fence.length && !/[^`~\s]/.test(line))
        fence = undefined;
      continue;
    }
    const open = FENCE.exec(line)?.[1];
    const heading = HEADING.exec(line);
    const bold = heading ? undefined : BOLD_LINE.exec(line);
    const item = LIST_ITEM.exec(line);
    if (open) fence = open;
    if (open || heading || bold || line.trim() === "") last = undefined;
    if (open) continue;
    if (heading || bold) {
      const level = heading ? (heading[1]?.length ?? 1) : BOLD_LEVEL;
      const name = (heading ? heading[2] : bold?.[2]) ?? "";
      if (SECTION_NAME.test(name)) section = level;
      else if (section !== undefined && level <= section) section = undefined;
      continue;
    }
    if (item) {
      const text = item[2] ?? "";
      const task = item[1] !== undefined || TASK_ITEM.test(text);
      last = section !== undefined || task ? items.push(text.replace(TASK_ITEM, "")) - 1 : undefined;
    } else if (last !== undefined && /^[ \t]+\S/.test(line)) {
      items[last] = `${items[last]} ${line.trim()}`;
    } else last = undefined;
  }
  const unique = [...new Set(items.map(tidy).filter((text) => text !== ""))];
  return unique.slice(0, MAX_ACCEPTANCE_CRITERIA);
}
