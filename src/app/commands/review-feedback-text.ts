import { MAX_COMMAND_TEXT } from "./parse-command.js";

export interface ReviewLineComment {
  path: string;
  /** The line it is on (the last, for a comment on several), when GitHub still places it in the diff. */
  line?: number | null;
  startLine?: number | null;
  /** A comment on the file as a whole, not on lines. */
  wholeFile?: boolean;
  body: string;
}

/** Most characters of one review's feedback: its body and every line comment. */
const MAX_REVIEW_TEXT = 2 * MAX_COMMAND_TEXT;

/**
 * A submitted review as one piece of feedback for the agent: what the reviewer wrote, then each line
 * comment with the file and line it is on, so one review is one iteration, not one run per comment.
 */
export function reviewFeedbackText(review: {
  changesRequested: boolean;
  body: string;
  comments: ReviewLineComment[];
}): string {
  const body = review.body.trim();
  const intro = review.changesRequested ? "The reviewer requested changes" : "The reviewer wrote";
  const parts = [body === "" ? `${intro}.` : `${intro}:\n\n${body}`];
  for (const comment of review.comments) {
    const lines = comment.wholeFile
      ? " (the whole file)"
      : comment.line == null
        ? " (a line no longer in the diff)"
        : comment.startLine != null && comment.startLine !== comment.line
          ? `, lines ${comment.startLine}–${comment.line}`
          : `, line ${comment.line}`;
    parts.push(`On ${comment.path}${lines}:\n\n${comment.body.trim()}`);
  }
  const text = parts.join("\n\n");
  return text.length > MAX_REVIEW_TEXT ? `${text.slice(0, MAX_REVIEW_TEXT)}…` : text;
}
