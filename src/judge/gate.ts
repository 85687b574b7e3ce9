import { cleanText, inlineCode, plainText, truncate } from "../publish/markdown.js";
import { type CiCheck, type CiReport, failedChecks, pendingChecks } from "./ci-report.js";
import type { Verdict } from "./verdict.js";

/**
 * The outcomes of Flotilla's two check runs: the judge's own ("Flotilla judge") and the gate ("Flotilla")
 * that branch protection can require. Neither is ever neutral or skipped: GitHub counts those as passing a
 * required check, so anything short of a clean pass is a failure.
 */

export interface CheckOutcome {
  conclusion: "success" | "failure";
  title: string;
  /** Markdown. */
  summary: string;
}

/** Check names in a title: the first few, then how many more. */
const NAMED_IN_TITLE = 5;
/** Characters of a problem or a summary quoted in a check's summary; far under GitHub's 65,535. */
const MAX_QUOTED = 4_000;

function oneLine(text: string, max: number): string {
  return truncate(cleanText(text).replace(/\s+/g, " ").trim(), max);
}

function names(checks: CiCheck[]): string {
  const shown = checks.slice(0, NAMED_IN_TITLE).map((c) => oneLine(c.name, 60));
  const more = checks.length - shown.length;
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}

function listed(checks: CiCheck[]): string {
  return checks.map((c) => inlineCode(truncate(c.name, 200))).join(", ");
}

/** What the judge said, as the reason the gate or its check is not green; undefined for an approval. */
function judgeShortfall(verdict: Verdict | undefined, problem: string | undefined): string | undefined {
  if (problem !== undefined)
    return `The judge gave no verdict: ${oneLine(problem, 200) || "no reason given"}`;
  if (verdict === undefined) return "The judge has not given a verdict yet";
  if (verdict.decision === "request_changes") return "The judge requested changes";
  if (verdict.decision === "inconclusive") return "The judge could not decide";
  return undefined;
}

/**
 * The gate: success only when no CI check is pending or failed and the judge approved; otherwise a
 * failure whose title names everything still missing ("CI failed: lint, test; The judge requested
 * changes"). A judge problem fails the gate even beside a verdict: the verdict is not to be trusted then.
 */
export function decideGate(input: { ci: CiReport; verdict?: Verdict; judgeProblem?: string }): CheckOutcome {
  const failed = failedChecks(input.ci);
  const pending = pendingChecks(input.ci);
  const judge = judgeShortfall(input.verdict, input.judgeProblem);
  const missing = [
    failed.length > 0
      ? { title: `CI failed: ${names(failed)}`, line: `CI failed: ${listed(failed)}.` }
      : undefined,
    pending.length > 0
      ? { title: `CI still pending: ${names(pending)}`, line: `CI still pending: ${listed(pending)}.` }
      : undefined,
    judge === undefined ? undefined : { title: judge, line: `${plainText(judge)}.` },
  ].filter((m) => m !== undefined);
  const rule =
    "This check passes when every CI check on the commit has passed and the judge approved the change.";
  if (missing.length === 0) {
    const ci =
      input.ci.checks.length === 0
        ? "No CI check reported on this commit."
        : `All ${input.ci.checks.length} CI checks passed.`;
    return {
      conclusion: "success",
      title: "CI passed and the judge approved",
      summary: `${rule}\n\n- ${ci}\n- The judge approved.`,
    };
  }
  return {
    conclusion: "failure",
    title: truncate(missing.map((m) => m.title).join("; "), 250),
    summary: `${rule} Still missing:\n\n${missing.map((m) => `- ${m.line}`).join("\n")}`,
  };
}

function counted(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The judge check's own outcome: success only for an approval. A problem (an error, a timeout, an answer
 * that was no verdict) is a failure, never neutral or skipped.
 */
export function judgeConclusion(verdict?: Verdict, problem?: string): CheckOutcome {
  const shortfall = judgeShortfall(verdict, problem);
  if (verdict === undefined || problem !== undefined) {
    const reason = plainText(truncate(cleanText(problem ?? "").trim() || "no reason given", MAX_QUOTED));
    return {
      conclusion: "failure",
      title: shortfall ?? "The judge gave no verdict",
      summary: `The judge gave no verdict, so this change is not approved:\n\n${reason}`,
    };
  }
  const met = verdict.criteria.filter((c) => c.met).length;
  const blocking = verdict.findings.filter((f) => f.severity === "blocker" || f.severity === "major").length;
  const facts = [
    verdict.criteria.length > 0
      ? `${met} of ${counted(verdict.criteria.length, "acceptance criterion", "acceptance criteria")} met`
      : "",
    verdict.findings.length > 0 ? `${counted(verdict.findings.length, "finding")}, ${blocking} blocking` : "",
  ].filter((fact) => fact !== "");
  return {
    conclusion: shortfall === undefined ? "success" : "failure",
    title: `${shortfall ?? "The judge approved"}${facts.length > 0 ? ` (${facts.join("; ")})` : ""}`,
    summary: plainText(truncate(verdict.summary.trim(), MAX_QUOTED)),
  };
}
