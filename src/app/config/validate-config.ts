import { isNode, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { ConfigSchema, type RepoConfig } from "./schema.js";

export const CONFIG_FILE = ".github/flotilla.yml";

export interface ConfigProblem {
  /** Dotted key path, e.g. `agents.fixer.command`; empty for the file as a whole. */
  key: string;
  /** 1-based line in the file, when the file's text is known. */
  line?: number;
  message: string;
}

export type ConfigResult = { ok: true; config: RepoConfig } | { ok: false; problems: ConfigProblem[] };

/**
 * Checks a repository config (already parsed, e.g. by Probot's loader, which applies `_extends`) against the
 * schema. Given the file's text too, each problem gets the line it is on, so the comment can point at it.
 */
export function validateRepoConfig(raw: unknown, sourceText?: string): ConfigResult {
  const { _extends: _, ...rest } = (raw ?? {}) as Record<string, unknown>;
  const parsed = ConfigSchema.safeParse(rest);
  if (parsed.success) return { ok: true, config: parsed.data };
  const locate = sourceText === undefined ? () => undefined : lineFinder(sourceText);
  return { ok: false, problems: parsed.error.issues.flatMap((issue) => toProblems(issue, locate)) };
}

/** Parses the file's text (YAML) and validates it; a YAML syntax error is a problem with its line. */
export function parseRepoConfig(text: string): ConfigResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = lineCounter.linePos(syntax.pos[0]).line;
    return {
      ok: false,
      problems: [{ key: "", line, message: `not valid YAML: ${syntax.message.split("\n")[0]}` }],
    };
  }
  return validateRepoConfig(doc.toJS() ?? {}, text);
}

/** The comment body for an invalid config: which file, which line and key, and what is expected. */
export function configProblemsMessage(problems: ConfigProblem[], file = CONFIG_FILE): string {
  const lines = problems.map((p) => {
    const where = [p.line ? `line ${p.line}` : "", p.key ? `\`${p.key}\`` : ""].filter(Boolean).join(", ");
    return `- ${where ? `${where}: ` : ""}${p.message}`;
  });
  return [
    `Flotilla could not use \`${file}\`, so nothing was started:`,
    "",
    ...lines,
    "",
    "Fix the file and add the label again.",
  ].join("\n");
}

type Locate = (path: (string | number)[]) => number | undefined;

function toProblems(issue: z.core.$ZodIssue, locate: Locate): ConfigProblem[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({
      key: [...path, key].join("."),
      line: locate([...path, key]),
      message: `unknown key "${key}"`,
    }));
  }
  return [{ key: path.join("."), line: locate(path), message: issue.message }];
}

/** Finds the line of a key path in YAML text: the value's line, or the nearest ancestor that is there. */
function lineFinder(text: string): Locate {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  return (path) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
}
