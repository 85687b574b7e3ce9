import type { AgentReport, OutputReader, ProgressEvent, Usage } from "./adapter.js";

/** A line longer than this is not parsed as JSON: no CLI event of ours is, and parsing it costs memory. */
const MAX_JSON_LINE = 4 * 1024 * 1024;

export type Json = Record<string, unknown>;

/** The line as a JSON object, or undefined when it is anything else (a banner, a warning, a fragment). */
export function jsonLine(line: string): Json | undefined {
  const text = line.trim();
  if (!text.startsWith("{") || text.length > MAX_JSON_LINE) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** `value` at a dotted path of plain objects, e.g. `at(event, "message.usage")`. */
export function at(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Json)[key];
  }
  return current;
}

/** A finite number at `path`, else undefined. */
export function numberAt(value: unknown, path: string): number | undefined {
  const found = at(value, path);
  return typeof found === "number" && Number.isFinite(found) ? found : undefined;
}

/** A string at `path`, else undefined. */
export function stringAt(value: unknown, path: string): string | undefined {
  const found = at(value, path);
  return typeof found === "string" ? found : undefined;
}

/** The first line of `text`, trimmed, cut at `max` characters; an ellipsis says something was left out. */
export function short(text: string, max = 160): string {
  const line = text.trim().split("\n", 1)[0] ?? "";
  return line.length > max || text.trim().includes("\n") ? `${line.slice(0, max)}…` : line;
}

/**
 * `write fix.txt`, `run_shell_command npm test`: the tool's name and the first of `keys` that `input` holds as
 * a string, the one input that says what the call touches; the name alone when it holds none.
 */
export function toolSummary(name: string, input: unknown, keys: readonly string[]): string {
  const key = keys.find((k) => typeof at(input, k) === "string");
  return key ? `${name} ${short(stringAt(input, key) ?? "")}` : name;
}

/** Adds what `more` reports to `usage`, field by field; a field stays absent until something reports it. */
export function addUsage(usage: Usage, more: Usage): Usage {
  const sum: Usage = { ...usage };
  for (const key of Object.keys(more) as (keyof Usage)[]) {
    const value = more[key];
    if (value !== undefined) sum[key] = (sum[key] ?? 0) + value;
  }
  return sum;
}

/** Keeps only the usage fields that have a value (undefined fields would read as "reported"). */
export function definedUsage(usage: Usage): Usage {
  return Object.fromEntries(Object.entries(usage).filter(([, v]) => v !== undefined)) as Usage;
}

/** One line of text as a progress event; blank lines are not worth showing. */
export function textEvent(
  text: string | undefined,
  kind: ProgressEvent["kind"] = "text",
): ProgressEvent | undefined {
  const trimmed = text?.trim();
  return trimmed ? { kind, text: trimmed } : undefined;
}

/**
 * A reader for a CLI that prints plain text: every line is progress, the last non-empty lines are the
 * summary, and nothing is known of usage unless `usageFrom` finds it in a line.
 */
export function plainTextReader(usageFrom?: (line: string, usage: Usage) => Usage): OutputReader {
  let usage: Usage = {};
  const last: string[] = [];
  return {
    line(line) {
      if (usageFrom) usage = usageFrom(line, usage);
      const event = textEvent(line);
      if (event) {
        last.push(event.text);
        if (last.length > 5) last.shift();
      }
      return event;
    },
    finish(): AgentReport {
      return { usage, ...(last.length > 0 ? { summary: last.join("\n") } : {}) };
    },
  };
}
