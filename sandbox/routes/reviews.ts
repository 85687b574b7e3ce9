import { notFound } from "../http/errors.js";
import { paginate } from "../http/pagination.js";
import { json, type Route, type RouteContext } from "../http/route.js";
import { isPull } from "../lifecycle/actor.js";
import { findPull } from "../lifecycle/pulls.js";
import {
  createReview,
  createReviewComment,
  findReview,
  type LineComment,
  type ReviewEvent,
  submitReview,
} from "../lifecycle/reviews.js";
import { type PullIssue, renderReview, renderReviewComment } from "../render/pulls.js";
import type { ReviewComment } from "../state/model.js";
import { actorOf, byDate } from "./acting.js";

/** Pull request reviews and review comments. */

const READ = ["pull_requests", "read"] as [string, "read"];
const WRITE = ["pull_requests", "write"] as [string, "write"];

function pullOf(ctx: RouteContext): PullIssue {
  return findPull(ctx.repo, ctx.params.pull_number ?? "");
}

/** Pending reviews and their comments are drafts: only their author sees them. */
function visibleComments(ctx: RouteContext, pull: PullIssue): ReviewComment[] {
  const viewer = actorOf(ctx).user.id;
  return pull.pull.reviewComments.filter((c) => {
    const review = pull.pull.reviews.find((r) => r.id === c.reviewId);
    return review?.state !== "PENDING" || review.userId === viewer;
  });
}

/** The review the route names, if the viewer may see it (a pending review is its author's draft). */
function visibleReview(ctx: RouteContext, pull: PullIssue) {
  const review = findReview(pull, ctx.params.review_id ?? "");
  if (review.state === "PENDING" && review.userId !== actorOf(ctx).user.id) throw notFound();
  return review;
}

function lineComment(raw: Record<string, unknown>): LineComment {
  return {
    path: String(raw.path ?? ""),
    body: String(raw.body ?? ""),
    ...(typeof raw.line === "number"
      ? { line: raw.line }
      : typeof raw.position === "number"
        ? { line: raw.position }
        : {}),
    ...(raw.side === "LEFT" || raw.side === "RIGHT" ? { side: raw.side } : {}),
    ...(typeof raw.start_line === "number" ? { startLine: raw.start_line } : {}),
  };
}

function listComments(ctx: RouteContext, items: { number: number; comment: ReviewComment }[]) {
  const key = (i: { comment: ReviewComment }) =>
    `${i.comment.createdAt}#${String(i.comment.id).padStart(12, "0")}`;
  const ordered = byDate(items, key, ctx.query.get("direction") ?? "asc");
  return paginate(
    ctx,
    ordered.map((i) => renderReviewComment(ctx.sandbox, ctx.repo, i.number, i.comment)),
  );
}

const REVIEWS = "/repos/{owner}/{repo}/pulls/{pull_number}/reviews";
const COMMENTS = "/repos/{owner}/{repo}/pulls/{pull_number}/comments";

export const reviewRoutes: Route[] = [
  {
    op: `GET ${REVIEWS}`,
    auth: "installation",
    permission: READ,
    handle(ctx) {
      const pull = pullOf(ctx);
      const viewer = actorOf(ctx).user.id;
      const reviews = pull.pull.reviews.filter((r) => r.state !== "PENDING" || r.userId === viewer);
      return paginate(
        ctx,
        reviews.map((r) => renderReview(ctx.sandbox, ctx.repo, pull.number, r)),
      );
    },
  },
  {
    op: `POST ${REVIEWS}`,
    auth: "installation",
    permission: WRITE,
    async handle(ctx) {
      const pull = pullOf(ctx);
      const b = ctx.body;
      const review = await createReview(ctx.sandbox, ctx.repo, pull, actorOf(ctx), {
        ...(typeof b.event === "string" ? { event: b.event as ReviewEvent } : {}),
        ...(typeof b.body === "string" ? { body: b.body } : {}),
        ...(typeof b.commit_id === "string" ? { commitId: b.commit_id } : {}),
        comments: ((b.comments as Record<string, unknown>[] | undefined) ?? []).map(lineComment),
      });
      return json(200, renderReview(ctx.sandbox, ctx.repo, pull.number, review));
    },
  },
  {
    op: `GET ${REVIEWS}/{review_id}`,
    auth: "installation",
    permission: READ,
    handle(ctx) {
      const pull = pullOf(ctx);
      return json(200, renderReview(ctx.sandbox, ctx.repo, pull.number, visibleReview(ctx, pull)));
    },
  },
  {
    op: `GET ${REVIEWS}/{review_id}/comments`,
    auth: "installation",
    permission: READ,
    handle(ctx) {
      const pull = pullOf(ctx);
      const review = visibleReview(ctx, pull);
      const comments = pull.pull.reviewComments.filter((c) => c.reviewId === review.id);
      return listComments(
        ctx,
        comments.map((comment) => ({ number: pull.number, comment })),
      );
    },
  },
  {
    op: `POST ${REVIEWS}/{review_id}/events`,
    auth: "installation",
    permission: WRITE,
    async handle(ctx) {
      const pull = pullOf(ctx);
      const review = findReview(pull, ctx.params.review_id ?? "");
      if (review.userId !== actorOf(ctx).user.id) throw notFound();
      await submitReview(ctx.sandbox, ctx.repo, pull, review, actorOf(ctx), {
        event: ctx.body.event as ReviewEvent,
        ...(typeof ctx.body.body === "string" ? { body: ctx.body.body } : {}),
      });
      return json(200, renderReview(ctx.sandbox, ctx.repo, pull.number, review));
    },
  },
  {
    op: `GET ${COMMENTS}`,
    auth: "installation",
    permission: READ,
    handle(ctx) {
      const pull = pullOf(ctx);
      return listComments(
        ctx,
        visibleComments(ctx, pull).map((comment) => ({ number: pull.number, comment })),
      );
    },
  },
  {
    op: "GET /repos/{owner}/{repo}/pulls/comments",
    auth: "installation",
    permission: READ,
    handle(ctx) {
      const pulls = [...ctx.repo.issues.values()].filter(isPull);
      const items = pulls.flatMap((pull) =>
        visibleComments(ctx, pull).map((comment) => ({ number: pull.number, comment })),
      );
      return listComments(ctx, items);
    },
  },
  {
    op: `POST ${COMMENTS}`,
    auth: "installation",
    permission: WRITE,
    async handle(ctx) {
      const pull = pullOf(ctx);
      const b = ctx.body;
      const comment = await createReviewComment(ctx.sandbox, ctx.repo, pull, actorOf(ctx), {
        ...lineComment(b),
        ...(typeof b.in_reply_to === "number" ? { inReplyTo: b.in_reply_to } : {}),
        ...(typeof b.commit_id === "string" ? { commitId: b.commit_id } : {}),
      });
      return json(201, renderReviewComment(ctx.sandbox, ctx.repo, pull.number, comment));
    },
  },
  {
    op: `POST ${COMMENTS}/{comment_id}/replies`,
    auth: "installation",
    permission: WRITE,
    async handle(ctx) {
      const pull = pullOf(ctx);
      const comment = await createReviewComment(ctx.sandbox, ctx.repo, pull, actorOf(ctx), {
        path: "",
        body: String(ctx.body.body ?? ""),
        inReplyTo: Number(ctx.params.comment_id),
      });
      return json(201, renderReviewComment(ctx.sandbox, ctx.repo, pull.number, comment));
    },
  },
];
