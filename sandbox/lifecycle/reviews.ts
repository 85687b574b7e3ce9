import { HttpError, notFound } from "../http/errors.js";
import { pullFiles } from "../render/pull-stats.js";
import { type PullIssue, renderPull, renderReview, renderReviewComment } from "../render/pulls.js";
import type { Sandbox } from "../sandbox.js";
import type { Repo, Review, ReviewComment, ReviewState } from "../state/model.js";
import type { Actor } from "./actor.js";

/** Reviews and review comments, checked against the pull request's diff as GitHub checks them. */

export type ReviewEvent = "APPROVE" | "REQUEST_CHANGES" | "COMMENT";

export interface LineComment {
  path: string;
  body: string;
  line?: number;
  side?: "LEFT" | "RIGHT";
  startLine?: number;
}

const STATE_OF: Record<ReviewEvent, ReviewState> = {
  APPROVE: "APPROVED",
  REQUEST_CHANGES: "CHANGES_REQUESTED",
  COMMENT: "COMMENTED",
};

function unprocessable(message: string): HttpError {
  return new HttpError(422, "Unprocessable Entity", { errors: [message] });
}

export function findReview(pull: PullIssue, id: number | string): Review {
  const review = pull.pull.reviews.find((r) => r.id === Number(id));
  if (!review) throw notFound();
  return review;
}

/** `@@ -a,b +c,d @@` ranges of a patch: which lines of each side a comment may point at. */
function lineInPatch(patch: string | undefined, line: number, side: "LEFT" | "RIGHT"): boolean {
  for (const match of (patch ?? "").matchAll(/^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/gm)) {
    const start = Number(side === "LEFT" ? match[1] : match[3]);
    const count = Number((side === "LEFT" ? match[2] : match[4]) ?? 1);
    if (line >= start && line < start + count) return true;
  }
  return false;
}

/** GitHub refuses comments on files or lines outside the diff, with these words. */
async function checkAgainstDiff(
  sb: Sandbox,
  repo: Repo,
  pull: PullIssue,
  comments: LineComment[],
): Promise<void> {
  if (comments.length === 0) return;
  const files = await pullFiles(repo, pull.pull, { baseUrl: sb.baseUrl, fullName: sb.store.fullName(repo) });
  for (const comment of comments) {
    const file = files.find((f) => f.filename === comment.path);
    if (!file) throw unprocessable("Path could not be resolved");
    if (comment.line !== undefined && !lineInPatch(file.patch, comment.line, comment.side ?? "RIGHT")) {
      throw unprocessable("Line could not be resolved");
    }
  }
}

function newComment(
  sb: Sandbox,
  pull: PullIssue,
  actor: Actor,
  reviewId: number,
  c: LineComment,
): ReviewComment {
  const now = sb.store.nowIso();
  return {
    id: sb.store.nextId(),
    reviewId,
    userId: actor.user.id,
    body: c.body,
    path: c.path,
    line: c.line ?? null,
    side: c.side ?? "RIGHT",
    startLine: c.startLine ?? null,
    commitId: pull.pull.headSha,
    inReplyToId: null,
    createdAt: now,
    updatedAt: now,
    reactions: [],
  };
}

async function emitSubmitted(
  sb: Sandbox,
  repo: Repo,
  pull: PullIssue,
  review: Review,
  actor: Actor,
): Promise<void> {
  const pull_request = await renderPull(sb, repo, pull);
  for (const comment of pull.pull.reviewComments.filter((c) => c.reviewId === review.id)) {
    sb.webhooks.emit({
      event: "pull_request_review_comment",
      repo,
      sender: actor.user,
      payload: {
        action: "created",
        comment: renderReviewComment(sb, repo, pull.number, comment),
        pull_request,
      },
    });
  }
  sb.webhooks.emit({
    event: "pull_request_review",
    repo,
    sender: actor.user,
    // Webhooks spell the state in lowercase (`changes_requested`), the REST API in uppercase.
    payload: {
      action: "submitted",
      review: { ...renderReview(sb, repo, pull.number, review), state: review.state.toLowerCase() },
      pull_request,
    },
  });
}

function submit(
  sb: Sandbox,
  pull: PullIssue,
  review: Review,
  actor: Actor,
  event: ReviewEvent,
  body: string,
) {
  const hasComments = pull.pull.reviewComments.some((c) => c.reviewId === review.id);
  if ((event === "APPROVE" || event === "REQUEST_CHANGES") && pull.userId === actor.user.id) {
    const verb = event === "APPROVE" ? "approve" : "request changes on";
    throw unprocessable(`Review Can not ${verb} your own pull request`);
  }
  if (event !== "APPROVE" && body.trim() === "" && !hasComments) {
    throw unprocessable(
      `Review Body is required for ${event === "COMMENT" ? "comment" : "request changes"} reviews`,
    );
  }
  review.state = STATE_OF[event];
  review.body = body;
  review.submittedAt = sb.store.nowIso();
}

/** A review with line comments; without an event it stays PENDING (no webhooks until submitted). */
export async function createReview(
  sb: Sandbox,
  repo: Repo,
  pull: PullIssue,
  actor: Actor,
  fields: { event?: ReviewEvent; body?: string; commitId?: string; comments?: LineComment[] },
): Promise<Review> {
  await checkAgainstDiff(sb, repo, pull, fields.comments ?? []);
  const review: Review = {
    id: sb.store.nextId(),
    userId: actor.user.id,
    body: fields.body ?? "",
    state: "PENDING",
    commitId: fields.commitId ?? pull.pull.headSha,
    submittedAt: null,
  };
  const comments = (fields.comments ?? []).map((c) => newComment(sb, pull, actor, review.id, c));
  pull.pull.reviews.push(review);
  pull.pull.reviewComments.push(...comments);
  if (!fields.event) return review;
  try {
    submit(sb, pull, review, actor, fields.event, review.body);
  } catch (error) {
    // A refused review leaves nothing behind, as on GitHub.
    pull.pull.reviews = pull.pull.reviews.filter((r) => r !== review);
    pull.pull.reviewComments = pull.pull.reviewComments.filter((c) => c.reviewId !== review.id);
    throw error;
  }
  await emitSubmitted(sb, repo, pull, review, actor);
  return review;
}

export async function submitReview(
  sb: Sandbox,
  repo: Repo,
  pull: PullIssue,
  review: Review,
  actor: Actor,
  fields: { event: ReviewEvent; body?: string },
): Promise<Review> {
  if (review.state !== "PENDING") throw unprocessable("Review has already been submitted");
  submit(sb, pull, review, actor, fields.event, fields.body ?? review.body);
  await emitSubmitted(sb, repo, pull, review, actor);
  return review;
}

/**
 * A single review comment (or a reply to one). GitHub wraps it in a COMMENTED review of its own and sends
 * both `pull_request_review_comment.created` and `pull_request_review.submitted`.
 */
export async function createReviewComment(
  sb: Sandbox,
  repo: Repo,
  pull: PullIssue,
  actor: Actor,
  fields: LineComment & { inReplyTo?: number; commitId?: string },
): Promise<ReviewComment> {
  let line: LineComment = fields;
  const parent =
    fields.inReplyTo === undefined
      ? undefined
      : pull.pull.reviewComments.find((c) => c.id === fields.inReplyTo);
  if (fields.inReplyTo !== undefined && !parent) throw notFound();
  if (parent) {
    line = {
      path: parent.path,
      body: fields.body,
      side: parent.side,
      ...(parent.line === null ? {} : { line: parent.line }),
    };
  } else {
    await checkAgainstDiff(sb, repo, pull, [fields]);
  }
  const review: Review = {
    id: sb.store.nextId(),
    userId: actor.user.id,
    body: "",
    state: "COMMENTED",
    commitId: fields.commitId ?? pull.pull.headSha,
    submittedAt: sb.store.nowIso(),
  };
  const comment = newComment(sb, pull, actor, review.id, line);
  comment.inReplyToId = parent ? (parent.inReplyToId ?? parent.id) : null;
  pull.pull.reviews.push(review);
  pull.pull.reviewComments.push(comment);
  await emitSubmitted(sb, repo, pull, review, actor);
  return comment;
}
