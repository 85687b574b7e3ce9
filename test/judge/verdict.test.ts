import { describe, expect, it } from "@jest/globals";
import { parseVerdict, VERDICT_SHAPE, type Verdict } from "../../src/judge/verdict.js";

const approval = { decision: "approve", summary: "Adds the French greeting; tests cover it." };

function verdictOf(text: string): Verdict {
  const parsed = parseVerdict(text);
  if (!parsed.ok) throw new Error(`expected a verdict, got: ${parsed.error}`);
  return parsed.verdict;
}

function errorOf(text: string): string {
  const parsed = parseVerdict(text);
  if (parsed.ok) throw new Error("expected no verdict");
  return parsed.error;
}

describe("parseVerdict", () => {
  it("reads a whole answer that is the JSON, filling in what may be left out", () => {
    expect(
      verdictOf(JSON.stringify({ ...approval, findings: [{ message: "Name the test better." }] })),
    ).toEqual({
      ...approval,
      criteria: [],
      findings: [{ severity: "major", message: "Name the test better." }],
    });
  });

  it("takes the last JSON code block when the agent wrapped its answer in prose", () => {
    const text = [
      "First I thought:",
      "```json",
      JSON.stringify({ decision: "request_changes", summary: "draft" }),
      "```",
      "On second thought:",
      "```",
      JSON.stringify(approval),
      "```",
      "```json",
      "{ not json",
      "```",
      "Done.",
    ].join("\n");

    expect(verdictOf(text).summary).toBe(approval.summary);
  });

  it("does not mistake a code block in another language for the verdict", () => {
    const text = `Here is the fix I would want:\n\`\`\`ts\n{"decision":"approve","summary":"from code"}\n\`\`\`\nVerdict: ${JSON.stringify({ ...approval, decision: "request_changes" })}`;

    expect(verdictOf(text).decision).toBe("request_changes");
  });

  it("finds the object between the first { and the last } when there is no block", () => {
    expect(verdictOf(`My verdict is ${JSON.stringify(approval)} — thanks!`).decision).toBe("approve");
  });

  it("finds the object after prose that holds a brace of its own", () => {
    const text = `The handler returns {status} now.\n\n${JSON.stringify(approval, null, 2)}`;

    expect(verdictOf(text).summary).toBe(approval.summary);
  });

  it("drops keys it does not know, reads null as absent and takes a decision in any case", () => {
    const verdict = verdictOf(
      JSON.stringify({
        decision: " Request_Changes ",
        summary: "Missing tests.",
        confidence: 0.9,
        findings: [{ severity: "NIT", file: null, line: null, message: "Typo.", extra: true }],
      }),
    );

    expect(verdict).toEqual({
      decision: "request_changes",
      summary: "Missing tests.",
      criteria: [],
      findings: [{ severity: "nit", message: "Typo." }],
    });
  });

  it("names each problem by its path, for the retry prompt", () => {
    const error = errorOf(
      JSON.stringify({
        decision: "lgtm",
        summary: "  ",
        criteria: [{ criterion: "Works", met: "yes" }],
        findings: [{ line: 0, message: "x" }, { line: 2.5 }],
      }),
    );

    expect(error).toContain('decision: expected one of "approve", "request_changes", "inconclusive"');
    expect(error).toContain("summary: must not be empty");
    expect(error).toContain("criteria.0.met: expected a boolean");
    expect(error).toContain("findings.0.line: expected a positive integer");
    expect(error).toContain("findings.1.message: required");
  });

  it("says a missing answer or a non-object is not a verdict", () => {
    expect(errorOf("")).toBe("not JSON: the answer holds no JSON object");
    expect(errorOf("I approve this change.")).toBe("not JSON: the answer holds no JSON object");
    expect(errorOf('"approve"')).toBe("the verdict: expected an object");
    expect(errorOf('Verdict: {"decision": approve}')).toMatch(/^not JSON: .{1,200}$/);
  });

  it("refuses arrays longer than their caps", () => {
    const findings = Array.from({ length: 101 }, () => ({ message: "x" }));

    expect(errorOf(JSON.stringify({ ...approval, findings }))).toBe("findings: at most 100 items");
  });

  it("keeps the error short when everything is wrong", () => {
    const findings = Array.from({ length: 20 }, () => ({ line: -1 }));
    const error = errorOf(JSON.stringify({ findings }));

    expect(error.split("; ")).toHaveLength(11);
    expect(error).toMatch(/; and \d+ more$/);
  });

  it("never throws, whatever the text", () => {
    for (const text of ["{", "}{", "```json\n", "{}", "null", "[]", "\u0000", "{".repeat(10_000)]) {
      expect(() => parseVerdict(text)).not.toThrow();
      expect(parseVerdict(text).ok).toBe(false);
    }
  });
});

describe("VERDICT_SHAPE", () => {
  it("holds an example that is itself a valid verdict with every field", () => {
    const verdict = verdictOf(VERDICT_SHAPE);

    expect(verdict.criteria[0]).toEqual(expect.objectContaining({ met: false }));
    expect(verdict.findings[0]).toEqual(
      expect.objectContaining({ file: expect.any(String), line: expect.any(Number) }),
    );
  });

  it("names every decision and severity the schema takes", () => {
    for (const word of ["approve", "request_changes", "inconclusive", "blocker", "major", "minor", "nit"])
      expect(VERDICT_SHAPE).toContain(`"${word}"`);
  });
});
