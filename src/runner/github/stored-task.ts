import type { GitHub } from "../../github/octokit.js";
import { withRetries } from "../../github/with-retries.js";
import { git } from "../git.js";
import { type StoredRequest, StoredRequestSchema, type TaskSpec } from "../task-spec.js";
import { fetchEnv } from "../workspace.js";
import type { JobEnv } from "./job-env.js";
import { RunnerRefusal } from "./runner-refusal.js";

/** A fetch of one commit may take a while on a large repository. */
const FETCH_TIMEOUT_MS = 10 * 60_000;

/**
 * The task spec of an iteration or a judge run in the agent workflow, as numbered steps: the request the
 * App stored as a git blob (its sha is the job's digest), checked against the job's inputs; then the
 * checkout (the default branch, where the config and the CLI's install came from) moved to the head the
 * run starts from, fetched with the job's read-only token, which git keeps in memory only.
 */
export async function readStoredTask(
  job: JobEnv,
  gh: GitHub,
  where: { owner: string; repo: string; workspace: string },
): Promise<TaskSpec> {
  // 1. The stored request.
  const stored = await readStoredRequest(gh, where, job.FLOTILLA_DIGEST);
  if (stored.role !== job.FLOTILLA_ROLE || stored.agentName !== job.FLOTILLA_AGENT) {
    throw new RunnerRefusal(
      `the stored request is for the ${stored.role} role of \`${stored.agentName}\`, but this job runs the ${job.FLOTILLA_ROLE} role of \`${job.FLOTILLA_AGENT}\``,
    );
  }
  // 2. The head it starts from.
  await checkoutHead(where.workspace, stored.head, job.GITHUB_TOKEN);
  return {
    version: 1,
    repo: job.GITHUB_REPOSITORY,
    workspace: where.workspace,
    agentName: stored.agentName,
    agent: stored.agent,
    request: stored.request,
    protectedPaths: stored.protectedPaths,
  };
}

async function readStoredRequest(
  gh: GitHub,
  where: { owner: string; repo: string },
  sha: string,
): Promise<StoredRequest> {
  let text: string;
  try {
    const { data } = await withRetries(() =>
      gh.rest.git.getBlob({ owner: where.owner, repo: where.repo, file_sha: sha }),
    );
    text = Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8").toString("utf8");
  } catch (error) {
    throw new RunnerRefusal(
      `the request Flotilla stored for this run (blob ${sha}) could not be read: ${(error as Error).message}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new RunnerRefusal(`the blob ${sha} is not a request Flotilla stored (not JSON)`);
  }
  const parsed = StoredRequestSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "(the request)"}: ${issue.message}`);
  throw new RunnerRefusal(
    `the blob ${sha} is not a request this runner can run (${problems.join("; ")}); the workflow's FLOTILLA_RUNNER_PACKAGE must be the App's version`,
  );
}

/** The workspace at `sha`, detached: fetched from `origin` (where the checkout came from), one commit deep. */
async function checkoutHead(workspace: string, sha: string, token: string): Promise<void> {
  try {
    await git(workspace, ["fetch", "--quiet", "--no-tags", "--depth=1", "origin", sha], {
      env: fetchEnv(token),
      timeoutMs: FETCH_TIMEOUT_MS,
    });
    await git(workspace, ["checkout", "--quiet", "--force", "--detach", sha]);
  } catch (error) {
    throw new RunnerRefusal(
      `the commit ${sha} the run starts from could not be checked out: ${(error as Error).message}`,
    );
  }
}
