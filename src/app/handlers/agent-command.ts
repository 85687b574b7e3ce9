import type { Context } from "probot";
import { carryOutCommand } from "../commands/carry-out-command.js";
import { parseCommand } from "../commands/parse-command.js";
import { isBot } from "../validation/sender-permission.js";
import { maySteer, type SteeringDeps, steeringConfig, threadTarget } from "./steering.js";

/** Commands answered without looking at the pull request. */
const ANSWERED_IN_PLACE = new Set(["help", "unknown", "race", "pick", "run"]);

/**
 * `issue_comment.created`: a line starting with `/agent` in a new comment on an issue or pull request is a
 * command (commands.md). Only a new comment (an edit is not a command), never a bot's, and only from people
 * who may steer agents: anyone else starts nothing and gets no reply, as a bot that answers everyone is a
 * spam channel; they are logged. A command is acknowledged with a 👀 reaction, then carried out.
 */
export function agentCommand(deps: SteeringDeps) {
  return async (context: Context<"issue_comment.created">): Promise<void> => {
    const { payload } = context;
    const { comment, issue, repository } = payload;
    const log = context.log.child({ delivery: context.id, repo: repository.full_name, comment: comment.id });
    // 1. Parse: bots never give commands; most comments are not commands, and need no API call to know.
    const user = comment.user;
    if (!user || isBot(payload.sender) || isBot(user)) return;
    const kind = issue.pull_request ? "pull" : "issue";
    const command = parseCommand(comment.body ?? "", kind);
    if (!command) return;

    // 2. Authorize: write, maintain or admin, as for labels.
    if (!(await maySteer(deps, context, user, log))) return;

    // 3. The config decides the agents; on a pull request, its head decides whose task it is.
    const where = threadTarget(context, repository.id, issue.number);
    const config = await steeringConfig(deps, context, where, log);
    const head =
      config && kind === "pull" && !ANSWERED_IN_PLACE.has(command.kind)
        ? (await context.octokit.rest.pulls.get({ ...context.repo(), pull_number: issue.number })).data
        : undefined;

    // 4. Acknowledge, now that what follows no longer reads GitHub; a failed reaction is not worth a redelivery.
    await context.octokit.rest.reactions
      .createForIssueComment({ ...context.repo(), comment_id: comment.id, content: "eyes" })
      .catch((error: unknown) => log.warn({ err: error }, "could not react to the command"));
    if (!config) return;

    // 5. Enqueue what it asks for.
    log.info({ command: command.kind, by: user.login }, "command");
    await carryOutCommand(
      {
        fleet: deps.fleet,
        log,
        repository,
        installationId: where.installationId,
        thread: { ...issue, kind },
        ...(head ? { head: { ...head.head, open: head.state === "open" } } : {}),
        config,
        author: user.login,
        at: comment.created_at,
        deliveryId: context.id,
        feedbackId: `comment-${comment.id}`,
      },
      command,
    );
  };
}
