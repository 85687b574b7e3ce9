import { cleanText, GITHUB_BODY_LIMIT, inlineCode, plainText, truncate } from "../publish/markdown.js";
import { type CiReport, pendingChecks } from "./ci-report.js";
import type { Verdict } from "./verdict.js";

/**
 * The judge's verdict for people: the review's body, its inline comments and the judge check's annotations.
 * Everything the judge wrote is untrusted output (the change under review can talk to it), so it is shown as
 * plain text: no mentions, no references, no HTML, links or images.
 */

type Finding = Verdict["findings"][number];

export interface ReviewComment {
  path: string;
  line: number;
  side: "RIGHT";
  body: string;
}

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "failure" | "warning" | "notice";
  message: string;
  title?: string;
}

/** Inline comments in one review. @defaultValue 30 */
export const MAX_INLINE_COMMENTS = 30;
/** GitHub takes at most 50 annotations in one check run update. */
export const MAX_ANNOTATIONS = 50;
// Room to spare under GitHub's limit, in case line breaks are stored as CRLF.
const BODY_BUDGET = GITHUB_BODY_LIMIT - 2_048;
/** 64 KB in UTF-8 even if every UTF-16 unit took 3 bytes. */
const MAX_ANNOTATION_MESSAGE = 21_000;

const HEADINGS: Record<Verdict["decision"], string> = {
  approve: "✅ Approved",
  request_changes: "❌ Changes requested",
  inconclusive: "❔ Inconclusive",
};

/** `./src/a.ts` and `/src/a.ts` as the repository-relative path GitHub expects. */
function repoPath(file: string): string {
  return file.trim().replace(/^(?:\.?\/)+/, "");
}

/** Plain text in a table cell: `|` is escaped by plainText, line breaks become `<br>`. */
function cell(text: string, max: number): string {
  return plainText(truncate(text.trim(), max)).replace(/\n+/g, "<br>") || " ";
}

/** Plain text in a list item, its later lines indented so that they stay in the item. */
function itemText(text: string, max: number): string {
  return plainText(truncate(text.trim(), max)).replace(/\n/g, "\n  ");
}

function place(finding: Finding): string {
  if (finding.file === undefined) return "";
  const where =
    finding.line === undefined ? repoPath(finding.file) : `${repoPath(finding.file)}:${finding.line}`;
  return ` ${inlineCode(truncate(where, 300))}`;
}

/** As many of `lines` as fit in `room` characters, then a line saying how many did not. */
function fitLines(lines: string[], room: number, what: string): string[] {
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    if (used + line.length + 1 > room) break;
    kept.push(line);
    used += line.length + 1;
  }
  const left = lines.length - kept.length;
  return left === 0
    ? kept
    : [...kept, `…and ${left} more ${what}, left out to keep this review within GitHub's size limit.`];
}

/**
 * The review's body: the decision and the commit, the summary, a table of the acceptance criteria, the
 * findings not posted inline, CI still pending, and Flotilla's own notes. Under GitHub's size limit: the
 * criteria get at most half of what the summary leaves, the findings the rest.
 *
 * Every finding of `verdict` is listed: pass `{ ...verdict, findings: rest }` from {@link inlineComments},
 * with `inlineCount` its `comments.length`, so that the inline ones are counted instead of repeated.
 */
export function renderReviewBody(
  verdict: Verdict,
  context: { sha: string; judge: string; ci: CiReport; inlineCount: number; notes?: string[] },
): string {
  const top = [
    `### ${HEADINGS[verdict.decision]} at ${inlineCode(context.sha.slice(0, 7))}`,
    `Reviewed by the judge ${inlineCode(truncate(context.judge, 100))}.`,
    plainText(truncate(verdict.summary.trim(), 5_000)),
  ];
  const pending = pendingChecks(context.ci);
  const bottom = [
    pending.length === 0
      ? ""
      : `CI still pending: ${pending.map((c) => inlineCode(truncate(c.name, 200))).join(", ")}.`,
    (context.notes ?? []).length === 0
      ? ""
      : `#### Notes\n\n${(context.notes ?? []).map((note) => `- ${itemText(note, 2_000)}`).join("\n")}`,
  ].filter((part) => part !== "");
  let room = BODY_BUDGET - [...top, ...bottom].join("\n\n").length - 200;
  const sections: string[] = [];
  if (verdict.criteria.length > 0) {
    const rows = verdict.criteria.map(
      (c) => `| ${cell(c.criterion, 500)} | ${c.met ? "✅" : "❌"} | ${cell(c.evidence, 1_000)} |`,
    );
    const table = [
      "| Criterion | Met | Evidence |",
      "| --- | --- | --- |",
      ...fitLines(rows, room / 2, "criteria"),
    ];
    sections.push(`#### Acceptance criteria\n\n${table.join("\n")}`);
    room -= sections.join("\n\n").length;
  }
  const inline =
    context.inlineCount === 0
      ? ""
      : `${context.inlineCount} ${context.inlineCount === 1 ? "finding is" : "findings are"} posted inline, on the diff.`;
  const listed = verdict.findings.map((f) => `- **${f.severity}**${place(f)}: ${itemText(f.message, 2_000)}`);
  if (listed.length > 0 || inline) {
    const list = fitLines(listed, room, "findings").join("\n");
    sections.push(["#### Findings", inline, list].filter((part) => part !== "").join("\n\n"));
  }
  return [...top, ...sections, ...bottom].join("\n\n");
}

/**
 * Findings on a line the diff shows become inline review comments (GitHub refuses a review whose comment
 * is elsewhere); the rest, and any past the 30th, stay for the body.
 */
export function inlineComments(
  findings: Verdict["findings"],
  commentable: Map<string, Set<number>>,
): { comments: ReviewComment[]; rest: Verdict["findings"] } {
  const comments: ReviewComment[] = [];
  const rest: Verdict["findings"] = [];
  for (const finding of findings) {
    const path = finding.file === undefined ? undefined : repoPath(finding.file);
    const line = finding.line;
    const shown = path !== undefined && line !== undefined && commentable.get(path)?.has(line) === true;
    if (shown && comments.length < MAX_INLINE_COMMENTS) {
      comments.push({
        path,
        line,
        side: "RIGHT",
        body: `**${finding.severity}**: ${plainText(finding.message)}`,
      });
    } else rest.push(finding);
  }
  return { comments, rest };
}

const LEVELS: Record<Finding["severity"], CheckAnnotation["annotation_level"]> = {
  blocker: "failure",
  major: "failure",
  minor: "warning",
  nit: "notice",
};

/**
 * Findings about a file as check run annotations, which GitHub shows on the file even off the diff: the
 * line defaults to the first. Annotations are plain text on GitHub, so messages are only cleaned.
 */
export function checkAnnotations(findings: Verdict["findings"]): CheckAnnotation[] {
  return findings
    .filter((f) => f.file !== undefined && repoPath(f.file) !== "")
    .slice(0, MAX_ANNOTATIONS)
    .map((f) => ({
      path: repoPath(f.file ?? ""),
      start_line: f.line ?? 1,
      end_line: f.line ?? 1,
      annotation_level: LEVELS[f.severity],
      message: truncate(cleanText(f.message), MAX_ANNOTATION_MESSAGE),
      title: `Judge: ${f.severity}`,
    }));
}
