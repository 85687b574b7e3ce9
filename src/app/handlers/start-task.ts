import { createHash } from "node:crypto";
import type { Context } from "probot";
import type { Fleet } from "../../fleet/fleet.js";
import { submitTask } from "../../fleet/submit-task.js";
import { branchFor, taskIdFor } from "../../fleet/task.js";
import { judgeSettings } from "../config/judge-settings.js";
import { loadRepoConfig } from "../config/load-config.js";
import { laneOf } from "../config/priority-lane.js";
import type { RepoConfig } from "../config/schema.js";
import { CONFIG_FILE, configProblemsMessage } from "../config/validate-config.js";
import type { SenderPermissions } from "../validation/sender-permission.js";
import { isPriorityLabel, reprioritizeIssue } from "./reprioritize-task.js";

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

    // Keyed by issue and text: a redelivery, or `opened` and `labeled` for one new issue, explain it once.
    const { owner, repo } = context.repo();
    const notice = (body: string) =>
      deps.fleet.queues.updates.add(
        "notice",
        {
          kind: "notice",
          installationId: installationOf(context),
          owner,
          repo,
          issue: payload.issue.number,
          body,
        },
        {
          jobId: `notice-r${payload.repository.id}-i${payload.issue.number}-${createHash("sha256").update(body).digest("hex").slice(0, 16)}`,
        },
      );
    if (!loaded.ok) {
      log.info({ problems: loaded.problems }, "invalid repository config; explained on the issue");
      await notice(configProblemsMessage(loaded.problems));
      return;
    }

    // 4. One task per agent asked for.
    for (const agent of agents) {
      // Own keys only: `agent:constructor` names no agent.
      const settings = Object.hasOwn(loaded.config.agents, agent) ? loaded.config.agents[agent] : undefined;
      if (!settings) {
        log.info({ agent }, "unknown agent; explained on the issue");
        await notice(unknownAgentMessage(agent, prefix, loaded.config));
        continue;
      }
      const { repository, issue } = payload;
      const result = await submitTask(
        deps.fleet,
        {
          id: taskIdFor(repository.id, issue.number, agent),
          repo: {
            id: repository.id,
            owner: repository.owner.login,
            name: repository.name,
            defaultBranch: repository.default_branch,
            cloneUrl: repository.clone_url,
          },
          installationId: installationOf(context),
          issue: issue.number,
          agent,
          sender: payload.sender.login,
          // The issue's text in the webhook is the text when the label was added: what the agent works on.
          trigger: { at: triggeredAt(payload), title: issue.title, body: issue.body ?? "" },
          branch: branchFor(issue.number, agent),
          settings: {
            backend: loaded.config.backend,
            agent: settings,
            protectedPaths: loaded.config.protectedPaths,
            limits: loaded.config.limits,
            prompt: loaded.config.prompt,
            actions: loaded.config.actions,
            judge: judgeSettings(loaded.config, agent),
          },
        },
        loaded.config.concurrency.perRepo,
        // Keyed by delivery and agent: a redelivery repeats nothing, two agents in one delivery both start.
        agents.length > 1 ? `${context.id}-${agent}` : context.id,
        laneOf(issue.labels ?? [], loaded.config.priority),
      );
      log.info({ agent, issue: issue.number, ...result }, "task submitted");
      // The label came back while the stopped run winds down: say so rather than drop the request unseen.
      if (result.status === "active" && result.stopping)
        await notice(
          `\`${prefix}${agent}\` was added while its previous run is still stopping, so nothing new was started. Add the label again once the status comment says it was cancelled.`,
        );
    }
  };
}

/**
 * When the request was made: the issue's last update, which the label (or the opening) itself was; a clock
 * that disagrees with GitHub's must not cut off comments written before it.
 */
function triggeredAt(payload: { issue: { updated_at: string } }): string {
  return payload.issue.updated_at;
}

function installationOf(context: Context): number {
  const id = (context.payload as { installation?: { id: number } }).installation?.id;
  if (id === undefined) throw new Error("webhook has no installation; is it from the GitHub App?");
  return id;
}

function unknownAgentMessage(agent: string, prefix: string, config: RepoConfig): string {
  const names = Object.keys(config.agents).sort();
  // The name comes from a label: keep it from closing the code span it is quoted in.
  const asked = agent.replaceAll("`", "'");
  return [
    `Flotilla has no agent called \`${asked}\` in this repository, so nothing was started.`,
    "",
    `The agents configured here: ${names.map((n) => `\`${prefix}${n}\``).join(", ")}.`,
    `Use one of those labels, or add \`${asked}\` under \`agents\` in \`${CONFIG_FILE}\`.`,
  ].join("\n");
}
