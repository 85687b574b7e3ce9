import type { Logger } from "pino";
import { readConversation } from "../app/data/issue-conversation.js";
import type { SenderPermissions } from "../app/validation/sender-permission.js";
import type { AgentRun, Backend, RunRequest } from "../backends/backend.js";
import type { GitHub } from "../github/octokit.js";
import { readOnlyToken } from "../github/read-token.js";
import { withRetries } from "../github/with-retries.js";
import { commitChangeset } from "../publish/commit-changeset.js";
import { checkPathPolicy, type PolicyVerdict } from "../publish/path-policy.js";
import { upsertPullRequest } from "../publish/pull-request.js";
import { pullRequestTitle, renderPullRequestBody } from "../publish/pull-request-body.js";
import { createRedactor, lastLines } from "../runner/redact.js";
import { isPermanent, isTransient, PermanentError, WorkerStoppingError } from "./errors.js";
import type { Fleet } from "./fleet.js";
import type { RunJob } from "./queues.js";
import { syncStatusComment } from "./status-sync.js";
import { dispatch } from "./submit-task.js";
import { isActive, type Task, type TaskError, type TaskState } from "./task.js";

export interface RunDeps {
  fleet: Fleet;
  backends: Partial<Record<Task["settings"]["backend"], Backend>>;
  /** An Octokit for the installation, authenticated by the App; jobs never carry tokens. */
  github(installationId: number): Promise<GitHub>;
  /** Who may be heard in the prompt (the same check, and cache, as for who may start agents). */
  permissions: SenderPermissions;
  log: Logger;
}

/** Lines of agent output kept for the status comment of a failed or empty run. */
const TAIL_LINES = 20;

/**
 * One attempt of a task, as numbered steps. Every step reads the record first and writes what it did, so a
 * retried job or a worker restarted after a crash resumes without doing anything twice: the commit is keyed by
 * its tree, the PR by its branch, the status comment by its marker.
 *
 * @param lastTry no retry follows: a transient failure now ends the task instead of being thrown.
 */
export async function runTask(
  deps: RunDeps,
  job: RunJob,
  lastTry: boolean,
  /** Aborted when this worker shuts down: the agent is stopped and the job left for another worker. */
  stopping?: AbortSignal,
): Promise<void> {
  const { fleet } = deps;
  let task = await fleet.store.get(job.taskId);
  // 0. A job for an attempt that was superseded does nothing; one whose attempt already ended (a crash after
  //    the last write) only frees the slot it may still hold.
  if (!task || task.attempt !== job.attempt) return;
  if (!isActive(task.state)) return release(deps, task);

  const log = deps.log.child({ task: task.id, attempt: task.attempt });
  const gh = await deps.github(task.installationId);
  try {
    if (!(task.state === "publishing" && task.commitSha))
      task = await runAgentAndCommit(deps, gh, task, log, stopping);
    if (!isActive(task.state)) return;
    // 6. The pull request: found by its branch, so a resumed attempt updates the one it opened.
    const published = task;
    const pr = await withRetries(() =>
      upsertPullRequest(gh, {
        owner: published.repo.owner,
        repo: published.repo.name,
        head: published.branch,
        base: published.repo.defaultBranch,
        title: pullRequestTitle(published.prTitle ?? `Issue #${published.issue}`, published.issue),
        body: published.prBody ?? `Closes #${published.issue}`,
      }),
    );
    task = await finish(deps, gh, published, "checking", { pr: { number: pr.number, url: pr.url } });
    log.info({ pr: pr.number, created: pr.created }, "pull request ready");
  } catch (error) {
    if (error instanceof WorkerStoppingError) throw error;
    if (isTransient(error) && !lastTry) {
      log.warn({ err: error }, "transient failure; the job will retry");
      throw error;
    }
    log.error({ err: error }, "task failed");
    await finish(deps, gh, task, "failed", { error: internalError(error) });
  }
}

/** Steps 1–5: run the agent in a workspace, check what it changed, commit it. */
async function runAgentAndCommit(
  deps: RunDeps,
  gh: GitHub,
  start: Task,
  log: Logger,
  stopping?: AbortSignal,
): Promise<Task> {
  const { fleet } = deps;
  const backend = deps.backends[start.settings.backend];
  if (!backend)
    throw new PermanentError(`The ${start.settings.backend} backend is not available on this worker.`);

  // 1. Running, and say so on the issue.
  let task = await fleet.store.update(start.id, { state: "running", startedAt: new Date().toISOString() });
  await showStatus(deps, gh, task.id);

  // 2. What the agent is asked (the issue as it was when asked, and the comments that may be heard), and a
  //    read-only token to fetch the repository with.
  const request = await readRequest(deps, gh, task);
  const token = await withRetries(() => readOnlyToken(gh, task.installationId, task.repo.id));

  // 3. The agent.
  log.info({ backend: backend.name, agent: task.agent }, "agent starting");
  const run = await backend.run({ task, request, token, ...(stopping ? { signal: stopping } : {}) });
  try {
    // Stopped because this worker is shutting down, not because of the agent: another worker runs it again.
    if (stopping?.aborted) throw new WorkerStoppingError();
    const { outcome, changeset } = run;
    log.info(
      { outcome: outcome.kind, files: changeset.files.length, ms: run.timings.agentMs, usage: run.usage },
      "agent finished",
    );
    const outputTail = lastLines(run.log, TAIL_LINES);
    const usage = run.usage;

    // 4. What the run amounts to: a failure (which limit, or the agent's error), nothing, or changes to check.
    if (outcome.kind !== "success") {
      const state: TaskState =
        outcome.kind === "cancelled"
          ? "cancelled"
          : outcome.kind === "limit" && outcome.limit === "time"
            ? "timed-out"
            : "failed";
      return await finish(deps, gh, task, state, {
        error: { kind: "agent", message: outcome.message },
        outputTail,
        usage,
      });
    }
    if (changeset.files.length === 0)
      return await finish(deps, gh, task, "no-changes", { outputTail, usage });

    // 5. The path policy, before anything is written; then one commit on the base, on the task's branch.
    const verdict = checkPathPolicy(changeset.files, {
      protectedPaths: task.settings.protectedPaths,
      ...task.settings.limits,
    });
    if (!verdict.ok) return await finish(deps, gh, task, "failed", { error: refusal(verdict) });

    task = await fleet.store.update(task.id, {
      state: "publishing",
      baseSha: changeset.baseSha,
      usage,
      prTitle: request.issue.title,
      prBody: renderPullRequestBody({
        issue: task.issue,
        agent: task.agent,
        durationMs: run.timings.agentMs,
        changeset,
        ...(run.summary !== undefined ? { summary: run.summary } : {}),
        usage,
        log: run.log,
      }),
    });
    await showStatus(deps, gh, task.id);
    const commit = await withRetries(() =>
      commitChangeset(gh, {
        owner: task.repo.owner,
        repo: task.repo.name,
        branch: task.branch,
        baseSha: changeset.baseSha,
        files: changeset.files,
        read: run.read,
        message: `${request.issue.title} (#${task.issue})\n\nMade by the ${task.agent} agent via Flotilla.`,
        mayReplace: async (head) => ((await fleet.store.get(task.id))?.commits ?? []).includes(head),
        recordCommit: async (sha) => {
          const commits = (await fleet.store.get(task.id))?.commits ?? [];
          await fleet.store.update(task.id, { commits: [...commits, sha] });
        },
      }),
    );
    log.info({ commit: commit.sha, created: commit.created }, "changes committed");
    return await fleet.store.update(task.id, { commitSha: commit.sha });
  } finally {
    await disposeQuietly(run, log);
  }
}

/**
 * The issue as it was when the agent was asked (from the task; the issue now, for a record made before
 * triggers were kept), and its comments from before then by people who may be heard.
 */
async function readRequest(deps: RunDeps, gh: GitHub, task: Task): Promise<RunRequest["request"]> {
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
  return {
    issue: { number: task.issue, title: issue.title, body: issue.body },
    comments,
    triggeredAt: at,
    ...(task.settings.prompt ? { maxBytes: task.settings.prompt.maxSize } : {}),
  };
}

/** Ends the attempt: records the outcome, updates the status comment, frees the slot for the next task. */
async function finish(
  deps: RunDeps,
  gh: GitHub,
  task: Task,
  state: TaskState,
  patch: Partial<Task>,
): Promise<Task> {
  const now = new Date();
  const startedAt = task.startedAt ? Date.parse(task.startedAt) : now.getTime();
  const done = await deps.fleet.store.update(task.id, {
    ...patch,
    state,
    finishedAt: now.toISOString(),
    durationMs: now.getTime() - startedAt,
  });
  // The comment before the slot: on the issues, never more tasks show as running than the limit allows.
  await showStatus(deps, gh, task.id);
  await release(deps, done);
  return done;
}

/**
 * Brings the status comment up to date. A failure here must not fail the task (a retry would run the agent
 * again): a status job brings the comment up to date later instead.
 */
async function showStatus(deps: RunDeps, gh: GitHub, taskId: string): Promise<void> {
  try {
    await syncStatusComment(deps.fleet, gh, taskId);
  } catch (error) {
    deps.log.warn({ err: error, task: taskId }, "status comment update failed; queued for later");
    await deps.fleet.queues.updates.add("status", { kind: "status", taskId });
  }
}

async function release(deps: RunDeps, task: Task): Promise<void> {
  const admitted = await deps.fleet.scheduler.release(task.repo.id, task.id);
  await dispatch(deps.fleet, admitted);
}

function refusal(verdict: Exclude<PolicyVerdict, { ok: true }>): TaskError {
  const reasons: string[] = [];
  if (verdict.protectedPaths.length > 0) reasons.push("it changes protected paths");
  if (verdict.tooManyFiles !== undefined)
    reasons.push(`it changes ${verdict.tooManyFiles} files, more than the limit`);
  if (verdict.tooManyBytes !== undefined)
    reasons.push(`it writes ${verdict.tooManyBytes} bytes, more than the limit`);
  return {
    kind: "refused",
    message: `The agent's change was not published: ${reasons.join("; ")}. Nothing was pushed.`,
    paths: verdict.protectedPaths,
  };
}

/** Shown on the issue, so only the first line, with anything shaped like a credential removed. */
const redactShapes = createRedactor([]);

function internalError(error: unknown): TaskError {
  const [message = ""] = redactShapes(error instanceof Error ? error.message : String(error)).split("\n");
  if (isPermanent(error)) return { kind: "internal", message };
  return { kind: "internal", message: `Flotilla could not finish this task: ${message}` };
}

async function disposeQuietly(run: AgentRun, log: Logger): Promise<void> {
  try {
    await run.dispose();
  } catch (error) {
    log.warn({ err: error }, "workspace cleanup failed");
  }
}
