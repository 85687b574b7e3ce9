import { createRequire } from "node:module";

/** A metric family as parse-prometheus-text-format returns it (the package ships no types). */
export interface Family {
  name: string;
  help: string;
  type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
  metrics: {
    labels?: Record<string, string>;
    value?: string;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }[];
}

const parse = createRequire(import.meta.url)("parse-prometheus-text-format") as (text: string) => Family[];

/** Parses Prometheus' text format with an independent parser; throws on text it cannot read. */
export function parsePrometheus(text: string): Map<string, Family> {
  return new Map(parse(text).map((family) => [family.name, family]));
}

/**
 * Every sample line as `name{labels}` → value, for what the parser above folds away (it merges the label sets
 * of a histogram into one). Labels are sorted, so `sample(text, 'x_count', {a: "1"})` finds them.
 */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = labelKey(labels);
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    if (match[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const pair of (match[2] ?? "").match(/\w+="(?:[^"\\]|\\.)*"/g) ?? []) {
      const [key = "", value = ""] = pair.split(/=(.*)/s);
      found[key] = JSON.parse(value) as string;
    }
    if (labelKey(found) === wanted) return Number(match[3]);
  }
  return undefined;
}

function labelKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}
