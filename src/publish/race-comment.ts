import { formatDuration } from "./format-duration.js";
import { inlineCode, plainText, truncate } from "./markdown.js";
import { prLink, statusMarker } from "./status-comment.js";

/** What the race's comment on the issue shows: one line per candidate, then the outcome. */
export interface RaceView {
  state: "running" | "ranking" | "waiting-pick" | "done" | "cancelled";
  /** When the time limit passes (ISO 8601). */
  deadline: string;
  keepBranchesMs: number;
  /** In the order ranked once there is a ranking, else in the order asked. */
  candidates: CandidateView[];
  winner?: { agent: string; pr?: { number: number; url: string } };
  /** Why there is no winner, or why the race was stopped. */
  reason?: string;
}

export interface CandidateView {
  agent: string;
  /** The candidate's task as words: "running", "finished", "failed", … */
  state: string;
  ci?: "passed" | "pending" | "none" | "failed";
  /** The checks that failed, or were still pending. */
  ciNames?: string[];
  decision?: "approve" | "request_changes" | "inconclusive" | "no verdict";
  rank?: number;
  /** Where its commit is, once it made one. */
  branch?: string;
  /** What the judge said about it. */
  summary?: string;
  /** The winner's pull request. */
  pr?: { number: number; url: string };
}

const CI_TEXT = { passed: "✅ passed", pending: "⏳ pending", none: "– none", failed: "❌ failed" } as const;
const DECISION_TEXT = {
  approve: "✅ approve",
  inconclusive: "❔ inconclusive",
  request_changes: "❌ changes requested",
  "no verdict": "⚠️ no verdict",
} as const;

/** The race's comment; it starts with the race's marker (the status comment's, with the race's id). */
export function renderRaceComment(raceId: string, view: RaceView): string {
  const names = view.candidates.map((c) => inlineCode(c.agent));
  const rows = view.candidates.map(
    (c) =>
      `| ${c.rank ?? "–"} | ${inlineCode(c.agent)} | ${c.pr ? `pull request ${prLink(c.pr)}` : plainText(truncate(c.state, 200))} | ${ciCell(c)} | ${c.decision ? DECISION_TEXT[c.decision] : "–"} |`,
  );
  return [
    statusMarker(raceId),
    headline(view, names),
    "",
    "| rank | agent | state | CI | judge |",
    "| ---- | ----- | ----- | -- | ----- |",
    ...rows,
    ...notes(view.candidates),
  ].join("\n");
}

/** Each candidate's branch and the judge's words on it, for people comparing them. */
function notes(candidates: CandidateView[]): string[] {
  const lines = candidates
    .filter((c) => c.branch)
    .map(
      (c) =>
        `- ${inlineCode(c.agent)} on ${inlineCode(c.branch ?? "")}${c.summary ? `: ${plainText(truncate(c.summary.replace(/\s+/g, " ").trim(), 500))}` : ""}`,
    );
  return lines.length > 0 ? ["", ...lines] : [];
}

/** Most check names shown in a cell. */
const MAX_NAMES = 3;

function ciCell(c: CandidateView): string {
  if (!c.ci) return "–";
  // Plain text, not code: a check's name comes from a workflow, and plainText escapes the `|` that would split the cell.
  const names = (c.ciNames ?? [])
    .slice(0, MAX_NAMES)
    .map((n) => plainText(truncate(n.replace(/\s+/g, " "), 60)));
  const more = (c.ciNames?.length ?? 0) > MAX_NAMES ? ", …" : "";
  return names.length > 0 ? `${CI_TEXT[c.ci]}: ${names.join(", ")}${more}` : CI_TEXT[c.ci];
}

function headline(view: RaceView, names: string[]): string {
  const kept = `The other candidates' branches are kept for ${formatDuration(view.keepBranchesMs)}, then deleted.`;
  switch (view.state) {
    case "running":
      return `🏁 **Race.** ${list(names)} are working on this issue at once, each on its own branch. When all have finished (or at ${view.deadline}), CI and the judge rank them.`;
    case "ranking":
      return "🏁 **Ranking.** The candidates are done; CI and the judge are ranking them.";
    case "waiting-pick":
      return `🏁 **Ranked: waiting for \`/agent pick <agent>\`.** Pick the candidate that gets the pull request (the first is the ranking's choice). ${kept}`;
    case "done":
      if (!view.winner)
        return `🏁 **No winner.** ${plainText(view.reason ?? "No candidate finished with a change")}.`;
      return `🏆 **Winner: ${inlineCode(view.winner.agent)}**${view.winner.pr ? `, pull request ${prLink(view.winner.pr)}` : ""}. ${kept}`;
    case "cancelled":
      return `⏹️ **Race stopped**${view.reason ? `: ${plainText(view.reason)}` : ""}. Branches the candidates pushed are kept for ${formatDuration(view.keepBranchesMs)}, then deleted.`;
  }
}

function list(names: string[]): string {
  if (names.length < 2) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}
