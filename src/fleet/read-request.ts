import { readConversation } from "../app/data/issue-conversation.js";
import { readPullConversation } from "../app/data/pull-conversation.js";
import type { RunRequest } from "../backends/backend.js";
import type { GitHub } from "../github/octokit.js";
import { readDiff } from "../github/read-diff.js";
import { withRetries } from "../github/with-retries.js";
import { feedbackIds } from "./iterate-pull.js";
import { fixFeedback } from "./review/fix-loop.js";
import { readCi } from "./review/read-ci.js";
import type { RunDeps } from "./run-task.js";
import type { Iteration, Task } from "./task.js";

/**
 * The issue as it was when the agent was asked (from the task; the issue now, for a record made before
 * triggers were kept), and its comments from before then by people who may be heard.
 */
export async function readRequest(deps: RunDeps, gh: GitHub, task: Task): Promise<RunRequest["request"]> {
  const where = { owner: task.repo.owner, repo: task.repo.name };
  let issue = task.trigger;
  if (!issue) {
    const { data } = await withRetries(() => gh.rest.issues.get({ ...where, issue_number: task.issue }));
    issue = { at: new Date().toISOString(), title: data.title, body: data.body ?? "" };
  }
  const { at } = issue;
  const comments = await withRetries(() =>
    readConversation(gh, {
      ...where,
      issue: task.issue,
      triggeredAt: at,
      commentsFrom: task.settings.prompt?.comments ?? "writers",
      permissions: deps.permissions,
    }),
  );
  const request = {
    issue: { number: task.issue, title: issue.title, body: issue.body },
    comments,
    triggeredAt: at,
    ...(task.settings.prompt ? { maxBytes: task.settings.prompt.maxSize } : {}),
  };
  return task.iteration ? { ...request, ...(await readIteration(deps, gh, task, task.iteration)) } : request;
}

/**
 * What an iteration sees besides the issue: the pull request's diff as it stands and what to address. A
 * person's iteration also gets the conversation on the pull request (commands left out: they are the
 * feedback) and the checks failing on its head; the fix loop's rounds carry those in their feedback.
 */
async function readIteration(
  deps: RunDeps,
  gh: GitHub,
  task: Task,
  iteration: Iteration,
): Promise<Pick<RunRequest["request"], "feedback" | "diff" | "pullComments">> {
  const where = { owner: task.repo.owner, repo: task.repo.name };
  const { diff } = await withRetries(() =>
    readDiff(gh, { ...where, base: task.repo.defaultBranch, head: iteration.headSha }),
  );
  // Ids are Flotilla's bookkeeping, not the agent's business.
  const feedback = iteration.feedback.map(({ text, author }) => ({ text, ...(author ? { author } : {}) }));
  if (iteration.automatic || !task.pr) return { feedback, diff };
  const pull = task.pr.number;
  const [conversation, ci] = await Promise.all([
    withRetries(() =>
      readPullConversation(gh, {
        ...where,
        pull,
        triggeredAt: task.startedAt ?? new Date().toISOString(),
        commentsFrom: task.settings.prompt?.comments ?? "writers",
        permissions: deps.permissions,
        feedbackReviews: new Set(
          feedbackIds(iteration.feedback).flatMap((id) =>
            id.startsWith("review-") ? [Number(id.slice(7))] : [],
          ),
        ),
      }),
    ),
    withRetries(() => readCi(gh, { ...where, sha: iteration.headSha, appId: deps.appId })),
  ]);
  return {
    feedback: [...fixFeedback(ci, undefined), ...feedback],
    diff,
    pullComments: conversation,
  };
}
