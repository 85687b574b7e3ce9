import { ProbotOctokit } from "probot";
import { readConversation } from "../../app/data/issue-conversation.js";
import { SenderPermissions } from "../../app/validation/sender-permission.js";
import type { GitHub } from "../../github/octokit.js";
import { withRetries } from "../../github/with-retries.js";
import { requestDigest } from "../request-digest.js";
import type { TaskSpec } from "../task-spec.js";
import { readJobEnv } from "./job-env.js";
import { readRepoConfig } from "./read-repo-config.js";
import { RunnerRefusal } from "./runner-refusal.js";
import { readStoredTask } from "./stored-task.js";

export interface GitHubTaskOptions {
  /** The checkout the agent works in. @defaultValue the current directory */
  workspace: string;
  /** Octokit to read with (tests turn off throttling); built from the job's token and API URL when unset. */
  github?: GitHub;
}

/**
 * The task spec for a first run in the agent workflow, built on the runner from ids: the agent from the
 * repository's config, the issue and the comments that may be heard read with the job's read-only token,
 * the same cut-off and the same rules as the App applies for the local backend. The issue must be as it was
 * when the agent was asked (its digest), or nothing runs.
 */
export async function readGitHubTask(env: NodeJS.ProcessEnv, options: GitHubTaskOptions): Promise<TaskSpec> {
  // 1. The inputs; an iteration or the judge runs the request the App stored (stored-task.ts).
  const job = readJobEnv(env);
  const [owner = "", repo = ""] = job.GITHUB_REPOSITORY.split("/");
  const gh =
    options.github ??
    new ProbotOctokit({ auth: { token: job.GITHUB_TOKEN }, baseUrl: job.GITHUB_API_URL, log: quiet });
  if (job.FLOTILLA_ROLE !== "code")
    return readStoredTask(job, gh, { owner, repo, workspace: options.workspace });

  // 2. The agent the inputs name.
  const config = await readRepoConfig(options.workspace);
  const agent = Object.hasOwn(config.agents, job.FLOTILLA_AGENT)
    ? config.agents[job.FLOTILLA_AGENT]
    : undefined;
  if (!agent) {
    throw new RunnerRefusal(
      `.github/flotilla.yml on the default branch has no agent called \`${job.FLOTILLA_AGENT}\` (it was changed since the agent was asked?).`,
    );
  }

  // 3. The issue, which must not have changed since the label was added.
  const { data: issue } = await withRetries(() =>
    gh.rest.issues.get({ owner, repo, issue_number: job.FLOTILLA_ISSUE }),
  );
  const asked = { title: issue.title, body: issue.body ?? "" };
  if (requestDigest(asked) !== job.FLOTILLA_DIGEST) {
    throw new RunnerRefusal(
      `issue #${job.FLOTILLA_ISSUE} was edited after the agent was asked, and the agent works only on the text the person who asked saw`,
    );
  }

  // 4. The comments that may be heard, from before the trigger.
  const comments = await withRetries(() =>
    readConversation(gh, {
      owner,
      repo,
      issue: job.FLOTILLA_ISSUE,
      triggeredAt: job.FLOTILLA_TRIGGERED_AT,
      commentsFrom: config.prompt.comments,
      permissions: new SenderPermissions(),
    }),
  );
  return {
    version: 1,
    repo: job.GITHUB_REPOSITORY,
    workspace: options.workspace,
    agentName: job.FLOTILLA_AGENT,
    agent,
    request: {
      issue: { number: job.FLOTILLA_ISSUE, ...asked },
      comments,
      triggeredAt: job.FLOTILLA_TRIGGERED_AT,
      maxBytes: config.prompt.maxSize,
    },
    protectedPaths: config.protectedPaths,
  };
}

/** Octokit's own logging would print request URLs among the agent's progress; errors surface as throws. */
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
