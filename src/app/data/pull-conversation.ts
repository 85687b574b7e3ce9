import type { GitHub } from "../../github/octokit.js";
import type { PromptComment } from "../../runner/prompt.js";
import { parseCommand } from "../commands/parse-command.js";
import { type ConversationQuery, heardOnly, readConversation } from "./issue-conversation.js";

export interface PullConversationQuery extends Omit<ConversationQuery, "issue"> {
  pull: number;
  /** Reviews that are this iteration's feedback already (their ids), so they are not quoted twice. */
  feedbackReviews: Set<number>;
}

/**
 * A pull request's conversation up to the iteration, oldest first, from people who may be heard: its
 * comments, the bodies of submitted reviews and their line comments (with file and line). Commands and
 * reviews that are the iteration's feedback are left out: the prompt has them as feedback.
 */
export async function readPullConversation(
  gh: GitHub,
  query: PullConversationQuery,
): Promise<PromptComment[]> {
  if (query.commentsFrom === "none") return [];
  const where = { owner: query.owner, repo: query.repo, pull_number: query.pull, per_page: 100 };
  const trigger = Date.parse(query.triggeredAt);
  const before = (time: string | null | undefined) => !!time && Date.parse(time) <= trigger;
  const [comments, reviews, lineComments] = await Promise.all([
    readConversation(gh, { ...query, issue: query.pull }),
    gh.paginate(gh.rest.pulls.listReviews, where),
    gh.paginate(gh.rest.pulls.listReviewComments, where),
  ]);
  const skipped = (reviewId: number | null | undefined) =>
    reviewId != null && query.feedbackReviews.has(reviewId);
  const reviewed = await heardOnly(
    gh,
    query,
    reviews.filter(
      (r) => r.state !== "PENDING" && r.body?.trim() && before(r.submitted_at) && !skipped(r.id),
    ),
    (r) => r.user,
  );
  const onLines = await heardOnly(
    gh,
    query,
    lineComments.filter(
      (c) => before(c.created_at) && before(c.updated_at) && !skipped(c.pull_request_review_id),
    ),
    (c) => c.user,
  );
  const all: PromptComment[] = [
    ...comments.filter((c) => parseCommand(c.body, "pull") === undefined),
    ...reviewed.map((r) => ({
      author: r.user?.login ?? "",
      body: `(a review) ${r.body}`,
      createdAt: r.submitted_at ?? "",
    })),
    ...onLines.map((c) => ({
      author: c.user.login,
      body: `(on ${c.path}${(c.line ?? c.original_line) ? `, line ${c.line ?? c.original_line}` : ""}) ${c.body}`,
      createdAt: c.created_at,
    })),
  ];
  return all.sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
}
