import { findPull, markPullReady, mergePull, openPull } from "../lifecycle/pulls.js";
import { createReview, type ReviewEvent } from "../lifecycle/reviews.js";
import type { Sandbox } from "../sandbox.js";
import { person } from "./issues.js";

/** People working on pull requests: open, review, merge; each sends GitHub's webhooks as that person. */
export const pullActions = {
  async openPullRequest(
    sb: Sandbox,
    args: {
      repo: string;
      head: string;
      base?: string;
      title: string;
      body?: string;
      user: string;
      draft?: boolean;
    },
  ) {
    const repo = sb.store.repo(args.repo);
    const pull = await openPull(sb, repo, person(sb, args.user), {
      head: args.head,
      ...(args.base ? { base: args.base } : {}),
      title: args.title,
      body: args.body ?? null,
      draft: args.draft ?? false,
    });
    return { number: pull.number, id: pull.pull.id, headSha: pull.pull.headSha };
  },

  async review(
    sb: Sandbox,
    args: {
      repo: string;
      pull: number;
      user: string;
      event: ReviewEvent;
      body?: string;
      comments?: { path: string; line: number; body: string; side?: "LEFT" | "RIGHT" }[];
    },
  ) {
    const repo = sb.store.repo(args.repo);
    const review = await createReview(sb, repo, findPull(repo, args.pull), person(sb, args.user), {
      event: args.event,
      body: args.body ?? "",
      comments: args.comments ?? [],
    });
    return { id: review.id, state: review.state };
  },

  /** A person marks a draft ready for review: no longer a draft, and `pull_request.ready_for_review`. */
  async markReadyForReview(sb: Sandbox, args: { repo: string; pull: number; user: string }) {
    const repo = sb.store.repo(args.repo);
    await markPullReady(sb, repo, findPull(repo, args.pull), person(sb, args.user));
    return { ok: true };
  },

  /** A merge commit on the base branch (as the merge button makes), then `closed` (merged) and a `push`. */
  async mergePullRequest(
    sb: Sandbox,
    args: { repo: string; pull: number; user: string; method?: "merge" | "squash" },
  ) {
    const repo = sb.store.repo(args.repo);
    const result = await mergePull(sb, repo, findPull(repo, args.pull), person(sb, args.user), {
      method: args.method ?? "merge",
    });
    return { sha: result.sha, merged: result.merged };
  },
};
