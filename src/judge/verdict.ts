import { z } from "zod";

/**
 * The judge's verdict, its one schema and its parsing. The verdict is a model's output, so the parsing is
 * lenient where a model is sloppy (unknown keys are dropped, `null` stands for a missing file or line, enum
 * values in any case, the JSON inside prose or a code fence) and strict where a sloppy answer would mislead
 * a reader (a decision, a summary, a line number that is a line).
 */

export const MAX_SUMMARY = 10_000;
export const MAX_CRITERIA = 50;
export const MAX_FINDINGS = 100;

/** `null` read as "not given": models write `"line": null` for a finding about no line in particular. */
const absent = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === null ? undefined : value), schema.optional());

/** An enum that takes `"Approve"` and `" major "` too: the case of a word is not worth a retry. */
const word = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess((value) => (typeof value === "string" ? value.trim().toLowerCase() : value), z.enum(values));

const Text = (max: number) => z.string().trim().min(1).max(max);

const CriterionSchema = z.object({
  criterion: Text(1_000),
  met: z.boolean(),
  evidence: z.string().trim().max(4_000).default(""),
});

const FindingSchema = z.object({
  severity: word(["blocker", "major", "minor", "nit"]).default("major"),
  /** Repo-relative, as in the diff. */
  file: absent(z.string().trim().min(1).max(4_096)),
  /** In the new version of the file. */
  line: absent(
    z.int({ error: "expected a positive integer" }).positive({ error: "expected a positive integer" }),
  ),
  message: Text(4_000),
});

export const VerdictSchema = z.object({
  decision: word(["approve", "request_changes", "inconclusive"]),
  summary: Text(MAX_SUMMARY),
  criteria: z.array(CriterionSchema).max(MAX_CRITERIA).default([]),
  findings: z.array(FindingSchema).max(MAX_FINDINGS).default([]),
});

export type Verdict = z.output<typeof VerdictSchema>;

export type ParsedVerdict = { ok: true; verdict: Verdict } | { ok: false; error: string };

/**
 * A filled-in example, then what each field means, for the prompt: the example is valid JSON and a valid
 * verdict (a test holds it to that), and the notes hold no braces, so the example is what a reader takes.
 */
export const VERDICT_SHAPE = `${JSON.stringify(
  {
    decision: "request_changes",
    summary: "What the change does and whether it resolves the issue, in a few sentences.",
    criteria: [{ criterion: "The acceptance criterion, as given", met: false, evidence: "What shows it." }],
    findings: [
      { severity: "major", file: "src/path/in/repo.ts", line: 42, message: "What is wrong and what to do." },
    ],
  },
  null,
  2,
)}

- decision: "approve", "request_changes" or "inconclusive".
- summary: required, at most ${MAX_SUMMARY} characters.
- criteria: one entry per acceptance criterion (at most ${MAX_CRITERIA}); met is true or false.
- findings: at most ${MAX_FINDINGS}; severity is "blocker", "major", "minor" or "nit"; file is the path from
  the repository's root and line a line number in the new version of that file; leave both out when a
  finding is not about a particular place.`;

/** Problems named the way a model can fix them: `findings.0.line: expected a positive integer`. */
function problemMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.input === undefined && issue.code === "invalid_type") return "required";
  switch (issue.code) {
    case "invalid_type":
      return `expected ${issue.expected === "array" || issue.expected === "object" ? "an" : "a"} ${issue.expected}`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      return issue.origin === "string" ? "must not be empty" : undefined;
    case "too_big":
      return `at most ${issue.maximum} ${issue.origin === "array" ? "items" : "characters"}`;
    default:
      return undefined;
  }
}

const MAX_PROBLEMS = 10;
/** Places tried as the start of an object inside prose, past the first. */
const MAX_STARTS = 100;

function validate(value: unknown): ParsedVerdict {
  const parsed = VerdictSchema.safeParse(value, { error: problemMessage });
  if (parsed.success) return { ok: true, verdict: parsed.data };
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.map(String).join(".") || "the verdict"}: ${issue.message}`,
  );
  const more = problems.length > MAX_PROBLEMS ? `; and ${problems.length - MAX_PROBLEMS} more` : "";
  return { ok: false, error: `${problems.slice(0, MAX_PROBLEMS).join("; ")}${more}` };
}

/** The contents of the text's ```json and plain ``` fenced blocks, in order; blocks in other languages are skipped whole. */
function jsonBlocks(text: string): string[] {
  const blocks: string[] = [];
  let open: { fence: string; json: boolean; lines: string[] } | undefined;
  for (const line of text.split("\n")) {
    if (open === undefined) {
      const opening = /^ {0,3}(`{3,}|~{3,})[ \t]*([^`\s]*)[^`]*$/.exec(line);
      if (opening?.[1]) open = { fence: opening[1], json: /^(json)?$/i.test(opening[2] ?? ""), lines: [] };
      continue;
    }
    const closing = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line)?.[1];
    if (closing?.startsWith(open.fence.charAt(0)) && closing.length >= open.fence.length) {
      if (open.json) blocks.push(open.lines.join("\n"));
      open = undefined;
    } else open.lines.push(line);
  }
  return blocks;
}

type Json = { ok: true; value: unknown } | { ok: false; error: string };

function json(text: string): Json {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/**
 * Reads a verdict from an agent's final message: the whole message as JSON, else the last ```json (or
 * plain ```) block that is JSON, else what lies between the first `{` and the last `}` (or, when prose
 * before the object holds a brace too, between a later `{` and the last `}`). On failure, `error` is short
 * and says what to fix, for the one retry prompt. Never throws.
 */
export function parseVerdict(text: string): ParsedVerdict {
  const whole = json(text.trim());
  if (whole.ok) return validate(whole.value);
  for (const block of jsonBlocks(text.replace(/\r\n?/g, "\n")).reverse()) {
    const parsed = json(block);
    if (parsed.ok) return validate(parsed.value);
  }
  const end = text.lastIndexOf("}");
  let start = text.indexOf("{");
  if (start === -1 || end < start) return { ok: false, error: "not JSON: the answer holds no JSON object" };
  const first = json(text.slice(start, end + 1));
  if (first.ok) return validate(first.value);
  for (let tries = 0; tries < MAX_STARTS; tries++) {
    start = text.indexOf("{", start + 1);
    if (start === -1 || start > end) break;
    const parsed = json(text.slice(start, end + 1));
    if (parsed.ok) return validate(parsed.value);
  }
  return { ok: false, error: `not JSON: ${first.error.slice(0, 200)}` };
}
