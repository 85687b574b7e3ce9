import { createRequire } from "node:module";

/**
 * Compares a webhook payload with GitHub's own examples (`@octokit/webhooks-examples`): every key that all
 * examples of that event and action carry must be there, with a value of a type the examples use. Nested
 * objects and the first element of arrays are compared the same way. Returns the problems, by path.
 */

interface Example {
  name: string;
  examples: Record<string, unknown>[];
}

const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as Example[];

/** Keys the examples carry that belong to where the example was recorded, not to the event itself. */
const CONTEXTUAL_KEYS = new Set(["enterprise", "organization", "installation"]);

type Kind = "null" | "array" | "object" | "string" | "number" | "boolean";

function kindOf(value: unknown): Kind {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value as Kind;
}

export function examplesFor(event: string, action?: string): Record<string, unknown>[] {
  const entry = examples.find((e) => e.name === event);
  if (!entry) throw new Error(`@octokit/webhooks-examples has no event ${event}`);
  const matching = entry.examples.filter((e) => (action === undefined ? true : e.action === action));
  if (matching.length === 0) throw new Error(`@octokit/webhooks-examples has no ${event}.${action}`);
  return matching;
}

function compare(samples: unknown[], value: unknown, path: string, problems: string[]): void {
  const kinds = new Set(samples.map(kindOf));
  const kind = kindOf(value);
  // A null where the examples hold a string, number or boolean is data (a repository with no language), not
  // shape; a null where they hold an object or array would hide missing structure, so it counts.
  const nullForScalar = kind === "null" && [...kinds].every((k) => k !== "object" && k !== "array");
  if (!kinds.has(kind) && !nullForScalar) {
    problems.push(`${path}: is ${kind}, examples have ${[...kinds].join("|")}`);
    return;
  }
  if (kind === "object") {
    const objects = samples.filter((s) => kindOf(s) === "object") as Record<string, unknown>[];
    const shared = Object.keys(objects[0] ?? {}).filter((key) => objects.every((o) => key in o));
    for (const key of shared) {
      if (path === "" && CONTEXTUAL_KEYS.has(key)) continue;
      const record = value as Record<string, unknown>;
      const childPath = path ? `${path}.${key}` : key;
      if (!(key in record)) {
        problems.push(`${childPath}: missing`);
        continue;
      }
      compare(
        objects.map((o) => o[key]),
        record[key],
        childPath,
        problems,
      );
    }
  }
  if (kind === "array") {
    const firsts = samples.flatMap((s) => (Array.isArray(s) && s.length > 0 ? [s[0]] : []));
    const first = (value as unknown[])[0];
    if (firsts.length > 0 && first !== undefined) compare(firsts, first, `${path}[0]`, problems);
  }
}

export function webhookShapeProblems(event: string, action: string | undefined, payload: unknown): string[] {
  const problems: string[] = [];
  compare(examplesFor(event, action), payload, "", problems);
  return problems;
}
