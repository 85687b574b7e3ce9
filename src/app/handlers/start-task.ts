import type { Context } from "probot";
import type { Fleet } from "../../fleet/fleet.js";
import { queueNotice } from "../../fleet/post-notice.js";
import { loadRepoConfig } from "../config/load-config.js";
import { configProblemsMessage } from "../config/validate-config.js";
import type { SenderPermissions } from "../validation/sender-permission.js";
import { isPriorityLabel, reprioritizeIssue } from "./reprioritize-task.js";
import { startRace } from "./start-race.js";
import { submitAgents } from "./submit-agents.js";

export interface StartTaskDeps {
  fleet: Fleet;
  permissions: SenderPermissions;
}

/**
 * `issues.labeled` (and `issues.opened` with labels already on): a label `<prefix><agent>` asks that agent to
 * work on the issue (a priority label, added later, moves its waiting tasks: reprioritize-task.ts). Parse, authorize, enqueue, return: the webhook is acknowledged only once the task is in
 * Redis, and an error here (Redis away, GitHub 5xx while reading the config) fails the delivery so it can be
 * redelivered. Explanations for people (bad config, unknown agent) are queued as comments, not posted here.
 */
export function startTask(deps: StartTaskDeps) {
  return async (context: Context<"issues.labeled" | "issues.opened">): Promise<void> => {
    const { payload } = context;
    const log = context.log.child({ delivery: context.id, repo: payload.repository.full_name });
    // 1. Bots never start agents, Flotilla included: no API call needed to know.
    if (payload.sender.type === "Bot") return log.debug("label from a bot; ignored");
    const labels =
      context.name === "issues" && payload.action === "labeled"
        ? [(payload as { label?: { name: string } }).label?.name ?? ""]
        : (payload.issue.labels ?? []).map((label) => label.name);
    if (labels.length === 0) return;

    // 2. The repository's config decides the label prefix and the agents.
    const loaded = await loadRepoConfig(context);
    // A priority label added moves the issue's waiting tasks instead.
    if (payload.action === "labeled" && loaded.ok && isPriorityLabel(labels[0], loaded.config))
      return reprioritizeIssue(deps, context as Context<"issues.labeled">, loaded.config);
    const prefix = loaded.ok ? loaded.config.labelPrefix : loaded.labelPrefix;
    const agents = labels.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
    if (agents.length === 0) return log.debug({ labels }, "no agent label; ignored");

    // 3. Only people with write, maintain or admin may start agents; anyone else gets no run and no reply.
    const decision = await deps.permissions.check(context.octokit, context.repo(), payload.sender);
    if (!decision.allowed) {
      return log.info({ sender: payload.sender.login, ...decision }, "sender may not start agents; ignored");
    }

    const { owner, repo } = context.repo();
    const where = {
      installationId: installationOf(context),
      repoId: payload.repository.id,
      owner,
      repo,
      issue: payload.issue.number,
    };
    if (!loaded.ok) {
      log.info({ problems: loaded.problems }, "invalid repository config; explained on the issue");
      await queueNotice(deps.fleet, where, configProblemsMessage(loaded.problems));
      return;
    }

    // 4. One task per agent asked for; an issue opened with several agents' labels races them. GitHub sends
    //    `opened`, then a `labeled` for each of its labels, in any order: each of them asks for the same race.
    const racing = openedWith(payload.issue, prefix);
    const submit = racing.length > 1 ? startRace : submitAgents;
    await submit(deps.fleet, log, {
      where,
      repository: payload.repository,
      issue: payload.issue,
      agents: racing.length > 1 ? racing : agents,
      config: loaded.config,
      sender: payload.sender.login,
      // The issue's text in the webhook is the text when the label was added: what the agent works on.
      at: triggeredAt(payload),
      deliveryId: context.id,
    });
  };
}

/**
 * When the request was made: the issue's last update, which the label (or the opening) itself was; a clock
 * that disagrees with GitHub's must not cut off comments written before it.
 */
function triggeredAt(payload: { issue: { updated_at: string } }): string {
  return payload.issue.updated_at;
}

/**
 * The agents whose labels the issue was opened with: its labels while it has not changed since it was
 * opened (a label added later moves `updated_at`, and starts that agent alone, as before races).
 */
function openedWith(
  issue: { created_at: string; updated_at: string; labels?: { name: string }[] },
  prefix: string,
): string[] {
  if (issue.created_at !== issue.updated_at) return [];
  const names = (issue.labels ?? []).map((label) => label.name);
  return names.filter((name) => name.startsWith(prefix)).map((name) => name.slice(prefix.length));
}

export function installationOf(context: Context): number {
  const id = (context.payload as { installation?: { id: number } }).installation?.id;
  if (id === undefined) throw new Error("webhook has no installation; is it from the GitHub App?");
  return id;
}
