import type { Logger } from "pino";
import { stopAgent } from "../../fleet/cancel-task.js";
import type { Fleet } from "../../fleet/fleet.js";
import { queueIteration } from "../../fleet/iterate-pull.js";
import { addFeedback, type PendingFeedback } from "../../fleet/pending-feedback.js";
import { type NoticeTarget, queueNotice } from "../../fleet/post-notice.js";
import { cancelRace, pickCandidate } from "../../fleet/race/cancel-race.js";
import { mayRetry, retryTask } from "../../fleet/retry-task.js";
import { type Task, taskIdFor, taskIdOfPull } from "../../fleet/task.js";
import type { RepoConfig } from "../config/schema.js";
import { taskSettings } from "../config/task-settings.js";
import { startRace } from "../handlers/start-race.js";
import { type AgentsRequest, submitAgents, unknownAgentMessage } from "../handlers/submit-agents.js";
import { commandHelp } from "./command-help.js";
import type { AgentCommand } from "./parse-command.js";

/** Where a command was given, and by whom; the caller has checked that they may steer agents. */
export interface CommandInput {
  fleet: Fleet;
  log: Logger;
  repository: AgentsRequest["repository"];
  installationId: number;
  /** The issue or pull request the command is on (a pull request's own title and body). */
  thread: AgentsRequest["issue"] & { kind: "issue" | "pull" };
  /** For a pull request: its head, which says whose task it is, and whether it is open. */
  head?: { ref: string; sha: string; repo?: { id: number } | null; open: boolean };
  config: RepoConfig;
  author: string;
  /** When the command was given (ISO 8601). */
  at: string;
  deliveryId: string;
  /** What the feedback is (`comment-<id>`, `review-<id>`), so a redelivery adds it once. */
  feedbackId: string;
  /** The feedback's text when it is more than the command's (a review: its line comments). */
  extraFeedback?: string;
}

/** Feedback text for `/agent use <agent>` without words of its own. */
const TAKE_OVER = "Take over this pull request: review it, then address whatever is still open.";

/**
 * Carries out a command: records what it asks for and queues the work, answering on the thread where the
 * command cannot be carried out. Nothing here calls GitHub: the answers go out as queued notices.
 */
export async function carryOutCommand(input: CommandInput, command: AgentCommand): Promise<void> {
  const { fleet, config, thread } = input;
  const reply = (body: string) => queueNotice(fleet, noticeTarget(input), body, input.deliveryId);
  const help = (problem?: string) =>
    reply(
      commandHelp({
        agents: Object.keys(config.agents).sort(),
        labelPrefix: config.labelPrefix,
        where: thread.kind,
        ...(problem ? { problem } : {}),
      }),
    );
  const log = input.log.child({ command: command.kind, by: input.author });

  switch (command.kind) {
    case "help":
      return help();
    case "unknown":
      return help(command.problem);
    case "race":
      if (thread.kind === "pull")
        return help("`/agent race` starts a race on an issue, not on a pull request.");
      return startRace(fleet, log, {
        askedBy: "command",
        where: noticeTarget(input),
        repository: input.repository,
        issue: thread,
        agents: command.agents,
        config,
        sender: input.author,
        at: input.at,
        deliveryId: input.deliveryId,
      });
    case "pick": {
      if (thread.kind === "pull") return help("`/agent pick <agent>` picks a race's winner on its issue.");
      const refused = await pickCandidate(
        fleet,
        input.repository.id,
        thread.number,
        command.agent,
        input.author,
      );
      if (refused) return reply(refused);
      log.info({ agent: command.agent }, "race candidate picked");
      return;
    }
    case "run": {
      if (thread.kind === "pull")
        return help(
          "On a pull request, `/agent use <agent>` has another agent revise it; `/agent run` starts an agent on an issue.",
        );
      await submitAgents(fleet, log, {
        askedBy: "command",
        where: noticeTarget(input),
        repository: input.repository,
        issue: thread,
        agents: [command.agent],
        config,
        sender: input.author,
        // The command's own comment is the last one the agent reads: its instructions come with the issue.
        at: input.at,
        deliveryId: input.deliveryId,
      });
      return;
    }
    case "stop":
      return stop(input, await tasksHere(input), reply, log);
    case "status": {
      const tasks = await tasksHere(input);
      if (tasks.length === 0) return reply(NO_TASK);
      for (const task of tasks) await fleet.queues.updates.add("status", { kind: "status", taskId: task.id });
      return;
    }
    case "retry":
      return retry(input, await tasksHere(input), reply, log);
  }

  // The rest act on an agent's pull request, while it is open.
  const task = thread.kind === "pull" ? (await tasksHere(input))[0] : undefined;
  if (!task?.pr) return reply(NOT_AN_AGENT_PULL);
  if (input.head && !input.head.open)
    return reply(
      "This pull request is closed: reopen it first, or start over on the issue with `/agent run <agent>`.",
    );
  if (command.kind === "judge") {
    if (!task.settings.judge)
      return reply("The judge is off for this pull request (`judge.enabled` in `.github/flotilla.yml`).");
    const sha = input.head?.sha ?? task.review?.sha;
    if (!sha) return reply(NOT_AN_AGENT_PULL);
    await fleet.queues.reviews.add(
      "start",
      { kind: "start", taskId: task.id, sha, pr: task.pr.number, again: true },
      { jobId: `rejudge-${task.id}-${sha}-${input.deliveryId}` },
    );
    log.info({ task: task.id, sha }, "judging again");
    return;
  }
  // iterate, use: feedback for the pull request's next iteration.
  const agent = command.kind === "use" ? takeOver(config, command.agent) : undefined;
  if (command.kind === "use" && !agent)
    return reply(unknownAgentMessage(command.agent, config.labelPrefix, config, "command"));
  await giveFeedback(input, task, [
    {
      id: input.feedbackId,
      author: input.author,
      at: input.at,
      text: input.extraFeedback ?? (command.text === "" ? TAKE_OVER : command.text),
      ...(agent ? { agent } : {}),
    },
  ]);
}

/** `/agent use <name>`: the agent's settings and the judge for its work, or undefined when there is no such agent. */
export function takeOver(config: RepoConfig, name: string): PendingFeedback["agent"] | undefined {
  const settings = taskSettings(config, name);
  if (!settings) return undefined;
  return { name, settings: settings.agent, ...(settings.judge ? { judge: settings.judge } : {}) };
}

/**
 * Feedback for the task's pull request: it waits for the next iteration, which starts now if nothing runs
 * (the `iterate` job), or when the run in progress ends.
 */
export async function giveFeedback(input: CommandInput, task: Task, items: PendingFeedback[]): Promise<void> {
  for (const item of items) {
    const added = await addFeedback(input.fleet, task.id, item);
    input.log.info({ task: task.id, feedback: item.id, added }, "feedback for the next iteration");
  }
  await queueIteration(input.fleet, task.id, input.thread.number, input.deliveryId);
}

const NO_TASK =
  "No agent has worked here yet. Start one with `/agent run <agent>` on the issue, or with its label.";
const NOT_AN_AGENT_PULL =
  "This pull request was not opened by one of Flotilla's agents, so there is no agent to send back to it. Start one on an issue with `/agent run <agent>`.";

function noticeTarget(input: CommandInput): NoticeTarget {
  return {
    installationId: input.installationId,
    repoId: input.repository.id,
    owner: input.repository.owner.login,
    repo: input.repository.name,
    issue: input.thread.number,
  };
}

/** The tasks a command here is about: the pull request's own, or those of the issue's configured agents. */
async function tasksHere(input: CommandInput): Promise<Task[]> {
  const { fleet, repository, thread } = input;
  const ids =
    thread.kind === "pull"
      ? [input.head ? taskIdOfPull(repository.id, input.head) : undefined]
      : Object.keys(input.config.agents).map((agent) => taskIdFor(repository.id, thread.number, agent));
  const tasks: Task[] = [];
  for (const id of ids) {
    const task = id ? await fleet.store.get(id) : undefined;
    if (task) tasks.push(task);
  }
  return tasks;
}

async function stop(
  input: CommandInput,
  tasks: Task[],
  reply: (body: string) => Promise<void>,
  log: Logger,
): Promise<void> {
  let stopped = 0;
  // A race on the issue ends as cancelled; its candidates are stopped below like any task.
  const reason = `@${input.author} asked to stop (\`/agent stop\`)`;
  if (
    input.thread.kind === "issue" &&
    (await cancelRace(input.fleet, input.repository.id, input.thread.number, reason))
  )
    stopped++;
  for (const task of tasks) {
    const { result, dropped } = await stopAgent(input.fleet, task.id, task.repo.id, reason);
    log.info({ task: task.id, result, dropped }, "stop requested");
    if (result === "cancelled" || result === "requested" || dropped > 0) stopped++;
  }
  if (stopped === 0) await reply("Nothing to stop: no agent is queued or running here.");
}

/** The last attempt that failed or was cancelled here, again: an iteration with its feedback, else from scratch. */
async function retry(
  input: CommandInput,
  tasks: Task[],
  reply: (body: string) => Promise<void>,
  log: Logger,
): Promise<void> {
  const last = tasks
    .filter(mayRetry)
    .sort((a, b) => (b.finishedAt ?? "").localeCompare(a.finishedAt ?? ""))[0];
  if (!last) {
    const busy = tasks.some((t) => !mayRetry(t));
    return reply(
      busy
        ? "Nothing to retry: the last attempt here did not fail and was not cancelled. To have the agent revise its pull request, write `/agent <feedback>` there."
        : NO_TASK,
    );
  }
  const outcome = await retryTask(input.fleet, last, {
    by: input.author,
    at: input.at,
    key: input.deliveryId,
    perRepo: input.config.concurrency.perRepo,
  });
  log.info({ task: last.id, outcome }, "task retried");
  if (outcome.kind === "empty-iteration")
    return reply(
      "Nothing to retry: the last iteration was stopped before it took any feedback. Write `/agent <feedback>` on the pull request to ask again.",
    );
  if (outcome.kind === "attempt" && outcome.result.status === "active")
    await reply(
      `Nothing to retry: \`${last.agent}\` is already ${outcome.result.stopping ? "stopping" : "working"} here.`,
    );
}
