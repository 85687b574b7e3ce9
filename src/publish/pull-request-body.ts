import type { Usage } from "../runner/adapters/adapter.js";
import type { FileChange } from "../runner/changeset.js";
import { formatDuration } from "./format-duration.js";
import { formatUsage } from "./format-usage.js";
import {
  breakReferences,
  cleanText,
  codeFence,
  GITHUB_BODY_LIMIT,
  inlineCode,
  lastLines,
  plainText,
  truncate,
} from "./markdown.js";

/** The title and body of the pull request an agent's work becomes. */

export interface PullRequestBodyInput {
  issue: number;
  agent: string;
  durationMs: number;
  changeset: { files: FileChange[] };
  /** What the agent said it did; untrusted, shown as plain text. */
  summary?: string;
  /** What the agent reported spending. */
  usage?: Usage;
  /** The agent's output, already redacted. */
  log: string;
  /** Set when the agent was stopped at a limit before it finished: how (redacted), said at the top. */
  stopped?: string;
}

/** Changed files listed in the body; the pull request's Files tab has them all. @defaultValue 50 */
export const MAX_LISTED_FILES = 50;
/** Lines of the agent's log shown at the end of the body. @defaultValue 60 */
export const LOG_LINES = 60;
/** GitHub's limit on a pull request title, in characters. */
const MAX_TITLE = 256;
const MAX_SUMMARY = 3_000;
const MAX_PATH = 300;
// Kept below GitHub's limit with room to spare, in case GitHub stores line breaks as CRLF.
const BODY_BUDGET = GITHUB_BODY_LIMIT - 2_048;

/**
 * "Resolve #12: <issue title>" on one line, within GitHub's limit. References and mentions in the issue's
 * title are broken: a squash merge makes the title a commit message, where "fixes #5" would close issue 5.
 */
export function pullRequestTitle(issueTitle: string, issueNumber: number): string {
  const prefix = `Resolve #${issueNumber}: `;
  const title = breakReferences(cleanText(issueTitle).replace(/\s+/g, " ").trim());
  return truncate(`${prefix}${title || "agent changes"}`, MAX_TITLE);
}

/**
 * The pull request body: "Closes #N", which agent and for how long, its summary and the changed files, and
 * the end of its log folded away. Always under GitHub's 65,536-character limit: the log gives way first,
 * then the file list.
 */
export function renderPullRequestBody(input: PullRequestBodyInput): string {
  const spent = formatUsage(input.usage);
  const intro = [
    `Closes #${input.issue}`,
    `The agent ${inlineCode(input.agent)} worked on this for ${formatDuration(input.durationMs)}${spent ? ` (${spent})` : ""}.`,
  ];
  // Partial work opens as a draft: say first that it is unfinished and why, and what moves it on.
  if (input.stopped !== undefined)
    intro.splice(
      1,
      0,
      `> [!WARNING]\n> **Unfinished.** ${plainText(truncate(input.stopped.replace(/\s+/g, " ").trim(), MAX_SUMMARY))} This draft holds what the agent had written by then; it is not judged until someone marks it ready for review.`,
    );
  const summary = cleanText(input.summary ?? "").trim();
  if (summary) intro.push(`### Summary\n\n${plainText(truncate(summary, MAX_SUMMARY))}`);
  const { lines, omitted } = lastLines(cleanText(input.log), LOG_LINES);
  let top = "";
  for (const listed of [MAX_LISTED_FILES, 10, 0]) {
    top = [...intro, filesSection(input.changeset.files, listed)].join("\n\n");
    const log = logSection(lines, omitted, BODY_BUDGET - top.length - 2);
    if (log !== undefined) return log ? `${top}\n\n${log}` : top;
  }
  return top;
}

function filesSection(files: FileChange[], listed: number): string {
  const heading = `### Changed files (${files.length})`;
  const items = files.slice(0, listed).map((f) => `- ${describeChange(f)}`);
  const rest = files.length - items.length;
  if (rest > 0) items.push(`- …and ${rest} more, in the Files tab`);
  return [heading, "", ...items].join("\n");
}

function describeChange(change: FileChange): string {
  const path = inlineCode(truncate(change.path, MAX_PATH));
  const kind =
    change.mode === "120000"
      ? " (symlink)"
      : change.binary
        ? " (binary)"
        : change.mode === "100755"
          ? " (executable)"
          : "";
  if (change.status === "renamed" && change.previousPath !== undefined)
    return `renamed ${inlineCode(truncate(change.previousPath, MAX_PATH))} → ${path}${kind}`;
  return `${change.status} ${path}${kind}`;
}

/** The end of the log in a folded section no longer than `room`; "" without a log, undefined when no line fits. */
function logSection(lines: string[], omitted: number, room: number): string | undefined {
  if (lines.length === 0) return "";
  for (let from = 0; from < lines.length; from++) {
    const shown = lines.slice(from);
    const what = omitted + from > 0 ? `last ${shown.length} lines` : `${shown.length} lines`;
    const section = [
      "<details>",
      `<summary>Agent log (${what})</summary>`,
      "",
      codeFence(shown.join("\n")),
      "",
      "</details>",
    ].join("\n");
    if (section.length <= room) return section;
  }
  return undefined;
}
