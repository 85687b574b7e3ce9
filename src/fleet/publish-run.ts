import type { Logger } from "pino";
import type { AgentRun } from "../backends/backend.js";
import type { GitHub } from "../github/octokit.js";
import { withRetries } from "../github/with-retries.js";
import { commitChangeset } from "../publish/commit-changeset.js";
import { checkPathPolicy, type PolicyVerdict } from "../publish/path-policy.js";
import { renderPullRequestBody } from "../publish/pull-request-body.js";
import { lastLines } from "../runner/redact.js";
import { finish, showStatus } from "./finish-task.js";
import { openTaskPull } from "./open-task-pull.js";
import {
  branchUrlFrom,
  keptOnBranchMessage,
  keptPartial,
  limitState,
  partialWorkOf,
} from "./partial-work.js";
import { requestReview } from "./review/start-review.js";
import type { RunDeps } from "./run-task.js";
import type { Task, TaskError, TaskState } from "./task.js";
import type { UpdateCondition } from "./task-store.js";

/** Lines of agent output kept for the status comment of a failed or empty run. */
const TAIL_LINES = 20;

/**
 * Steps 4–5 for any backend's finished run: what it amounts to (a failure, nothing, or changes, finished or
 * stopped at a limit), the path policy before anything is written, then one commit on the base, on the
 * task's branch.
 */
export async function publishRun(
  deps: RunDeps,
  gh: GitHub,
  start: Task,
  run: AgentRun,
  log: Logger,
  /** What the record must still be for any write here (this attempt, this dispatch, holding its slot). */
  when: UpdateCondition,
): Promise<Task> {
  const { fleet } = deps;
  let task = start;
  const { outcome, changeset } = run;
  log.info(
    { outcome: outcome.kind, files: changeset.files.length, ms: run.timings.agentMs, usage: run.usage },
    "agent finished",
  );
  const outputTail = lastLines(run.log, TAIL_LINES);
  const usage = run.usage;

  // 4. What the run amounts to: a failure (which limit, or the agent's error), nothing, or changes to check.
  //    Stopped by a person meanwhile: nothing is published, whatever the agent did. Stopped at a limit with
  //    changes: those are checked and committed like finished work, when the config keeps them.
  const cancel = (await fleet.store.get(task.id))?.cancel;
  if (cancel) return finish(deps, gh, task, "cancelled", { outputTail, usage }, when);
  const partial = keptPartial(task, outcome, changeset.files.length);
  if (outcome.kind !== "success" && !partial) {
    const state: TaskState =
      outcome.kind === "cancelled"
        ? "cancelled"
        : outcome.kind === "limit" && outcome.limit === "time"
          ? "timed-out"
          : "failed";
    return finish(
      deps,
      gh,
      task,
      state,
      { error: { kind: "agent", message: outcome.message }, outputTail, usage },
      when,
    );
  }
  if (changeset.files.length === 0) return finish(deps, gh, task, "no-changes", { outputTail, usage }, when);

  // 5. The path policy, before anything is written; then one commit on the base, on the task's branch.
  const verdict = checkPathPolicy(changeset.files, {
    protectedPaths: task.settings.protectedPaths,
    ...task.settings.limits,
  });
  if (!verdict.ok) return finish(deps, gh, task, "failed", { error: refusal(verdict), usage }, when);

  const title = await issueTitle(gh, task);
  const publishing = await fleet.store.updateIf(
    task.id,
    { ...when, notCancelled: true },
    {
      state: "publishing",
      baseSha: changeset.baseSha,
      usage,
      prTitle: title,
      prBody: renderPullRequestBody({
        issue: task.issue,
        agent: task.agent,
        durationMs: run.timings.agentMs,
        changeset,
        ...(run.summary !== undefined ? { summary: run.summary } : {}),
        ...(partial ? { stopped: partial.message } : {}),
        usage,
        log: run.log,
      }),
      // What step 6 needs to end a partial run, should this job be resumed after the commit.
      ...(partial ? { partial, outputTail } : {}),
    },
  );
  if (!publishing) return stopped(deps, gh, task, when);
  task = publishing;
  await showStatus(deps, gh, task.id);
  const committing = task;
  const commit = await withRetries(() =>
    commitChangeset(gh, {
      owner: committing.repo.owner,
      repo: committing.repo.name,
      branch: committing.branch,
      baseSha: changeset.baseSha,
      files: changeset.files,
      read: run.read,
      message: commitMessage(committing, title),
      // An iteration only adds to the head it started from; a fresh attempt may replace only Flotilla's commits.
      mayReplace: async (head) =>
        committing.iteration
          ? head === committing.iteration.headSha
          : ((await fleet.store.get(committing.id))?.commits ?? []).includes(head),
      recordCommit: async (sha) => {
        const commits = (await fleet.store.get(committing.id))?.commits ?? [];
        await fleet.store.update(committing.id, { commits: [...commits, sha] });
      },
    }),
  );
  log.info({ commit: commit.sha, created: commit.created, partial: Boolean(partial) }, "changes committed");
  const branchUrl = partial ? branchUrlFrom(commit.url, committing.branch) : undefined;
  return (
    (await fleet.store.updateIf(task.id, when, {
      commitSha: commit.sha,
      ...(partial && branchUrl ? { partial: { ...partial, branchUrl } } : {}),
    })) ?? stopped(deps, gh, task, when)
  );
}

/**
 * The record was not as `when` required: the task was stopped (it ends cancelled here, before anything more
 * is published), or another attempt or dispatch took over (it is left to that one).
 */
async function stopped(deps: RunDeps, gh: GitHub, task: Task, when: UpdateCondition): Promise<Task> {
  const now = (await deps.fleet.store.get(task.id)) ?? task;
  if (now.cancel && now.attempt === task.attempt) return finish(deps, gh, now, "cancelled", {}, when);
  return now;
}

/**
 * 6. The pull request: found by its branch, so a resumed attempt updates the one it opened; a draft for
 * partial work under `draft-pr`, none under `branch`.
 */
export async function openPullRequest(
  deps: RunDeps,
  gh: GitHub,
  task: Task,
  log: Logger,
  when: UpdateCondition,
): Promise<Task> {
  // Not for a task stopped, or taken over, since its commit.
  const still = await deps.fleet.store.updateIf(
    task.id,
    { ...when, states: ["publishing"], notCancelled: true },
    {},
  );
  if (!still) return stopped(deps, gh, task, when);
  // Partial work kept on its branch: the attempt ends in its limit's state, saying where the work is.
  if (task.partial && partialWorkOf(task) === "branch") {
    const error = { kind: "agent" as const, message: keptOnBranchMessage(task.partial, task.branch) };
    return finish(deps, gh, task, limitState(task.partial.limit), { error }, when);
  }
  // A race's candidate keeps its commit on its branch: the race's ranking decides which gets a pull request.
  if (task.race) return finish(deps, gh, task, "candidate", {}, when);
  // An iteration's commit lands on the open pull request; its title and body stay as people may have edited them.
  if (task.iteration && task.pr) {
    const done = await finish(deps, gh, task, "checking", {}, when);
    await requestReview(deps.fleet, done);
    return done;
  }
  const pr = await openTaskPull(gh, task);
  log.info({ pr: pr.number, created: pr.created, draft: pr.draft }, "pull request ready");
  const opened = { number: pr.number, url: pr.url, ...(pr.draft ? { draft: true } : {}) };
  const done = await finish(deps, gh, task, "checking", { pr: opened }, when);
  await requestReview(deps.fleet, done);
  return done;
}

function commitMessage(task: Task, title: string): string {
  if (!task.iteration) return `${title} (#${task.issue})\n\nMade by the ${task.agent} agent via Flotilla.`;
  const who = task.iteration.automatic ? "CI and the judge" : "review";
  return `Address ${who} feedback on #${task.pr?.number ?? task.issue}\n\nMade by the ${task.agent} agent via Flotilla.`;
}

/** The issue's title as it was when asked; the issue now, for a record made before triggers were kept. */
async function issueTitle(gh: GitHub, task: Task): Promise<string> {
  if (task.trigger) return task.trigger.title;
  const { data } = await withRetries(() =>
    gh.rest.issues.get({ owner: task.repo.owner, repo: task.repo.name, issue_number: task.issue }),
  );
  return data.title;
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
