import type { GitHub } from "../github/octokit.js";
import { isUnprocessable } from "./request-error.js";

export interface UpsertPullRequestInput {
  owner: string;
  repo: string;
  /** The branch with the changes, in the same repository. */
  head: string;
  /** The branch to merge into. */
  base: string;
  title: string;
  body: string;
  /**
   * Open it as a draft. A pull request already open stays as it is: GitHub's REST API cannot turn one back
   * into a draft. @defaultValue false
   */
  draft?: boolean;
}

export interface UpsertPullRequestResult {
  number: number;
  /** The pull request's page on GitHub. */
  url: string;
  created: boolean;
  /** Whether it is a draft now. */
  draft: boolean;
}

type Found = {
  number: number;
  html_url: string;
  title: string;
  body: string | null;
  draft?: boolean | undefined;
};

/**
 * The one open pull request from `head`: found and brought up to date (title and body, only when they
 * differ), or opened. A retried job or two workers at once never open a second one.
 */
export async function upsertPullRequest(
  gh: GitHub,
  input: UpsertPullRequestInput,
): Promise<UpsertPullRequestResult> {
  const existing = await findOpen(gh, input);
  if (existing) return { ...(await bringUpToDate(gh, input, existing)), created: false };
  try {
    const { owner, repo, head, base, title, body } = input;
    const { data } = await gh.rest.pulls.create({
      owner,
      repo,
      head,
      base,
      title,
      body,
      ...(input.draft ? { draft: true } : {}),
    });
    return { number: data.number, url: data.html_url, created: true, draft: data.draft === true };
  } catch (error) {
    // Someone opened it between our look and our create: use theirs.
    if (!isUnprocessable(error, "A pull request already exists")) throw error;
    const raced = await findOpen(gh, input);
    if (!raced) throw error;
    return { ...(await bringUpToDate(gh, input, raced)), created: false };
  }
}

async function findOpen(gh: GitHub, input: UpsertPullRequestInput): Promise<Found | undefined> {
  const { data } = await gh.rest.pulls.list({
    owner: input.owner,
    repo: input.repo,
    state: "open",
    // `owner:branch`: GitHub ignores a bare branch name here and lists every open pull request.
    head: `${input.owner}:${input.head}`,
    per_page: 100,
  });
  // Checked again here, since GitHub silently ignores a `head` filter it cannot parse.
  const fromHead = data.filter((pr) => pr.head.ref === input.head);
  // One open pull request per head and base is all GitHub allows; prefer ours, else one a person retargeted.
  return fromHead.find((pr) => pr.base.ref === input.base) ?? fromHead[0];
}

async function bringUpToDate(
  gh: GitHub,
  input: UpsertPullRequestInput,
  pr: Found,
): Promise<{ number: number; url: string; draft: boolean }> {
  if (pr.title !== input.title || (pr.body ?? "") !== input.body) {
    await gh.rest.pulls.update({
      owner: input.owner,
      repo: input.repo,
      pull_number: pr.number,
      title: input.title,
      body: input.body,
    });
  }
  return { number: pr.number, url: pr.html_url, draft: pr.draft === true };
}
