import type { Context } from "probot";
import { taskIdOfPull } from "../../fleet/task.js";
import { type CommandInput, carryOutCommand } from "../commands/carry-out-command.js";
import { parseCommand } from "../commands/parse-command.js";
import { reviewFeedbackText } from "../commands/review-feedback-text.js";
import { isBot } from "../validation/sender-permission.js";
import { maySteer, type SteeringDeps, steeringConfig, threadTarget } from "./steering.js";

/**
 * `pull_request_review.submitted` on an agent's pull request: a review that requests changes, with its
 * line comments, becomes one iteration's feedback (`commands.reviews`: every such review, only those
 * whose body has an `/agent` line, or none). Any other `/agent` command in a review body is carried out as
 * in a comment. The same people as for labels; bots never, Flotilla's judge included.
 */
export function reviewFeedback(deps: SteeringDeps) {
  return async (context: Context<"pull_request_review.submitted">): Promise<void> => {
    const { payload } = context;
    const { review, pull_request: pull, repository } = payload;
    const log = context.log.child({ delivery: context.id, repo: repository.full_name, review: review.id });
    // 1. Parse: only an agent's pull request, a person's review, with a command or changes requested.
    const user = review.user;
    if (!user || isBot(payload.sender) || isBot(user)) return;
    if (!taskIdOfPull(repository.id, pull.head)) return;
    const command = parseCommand(review.body ?? "", "pull");
    const changesRequested = review.state.toLowerCase() === "changes_requested";
    if (!command && !changesRequested) return;

    // 2. Authorize.
    if (!(await maySteer(deps, context, user, log))) return;

    // 3. The config says which reviews count.
    const where = threadTarget(context, repository.id, pull.number);
    const config = await steeringConfig(deps, context, where, log);
    if (!config) return;
    const mode = config.commands.reviews;
    if (mode === "off" || (mode === "command" && !command)) return log.debug({ mode }, "review not read");
    const input: CommandInput = {
      fleet: deps.fleet,
      log,
      repository,
      installationId: where.installationId,
      thread: { ...pull, kind: "pull" },
      head: { ...pull.head, open: pull.state === "open" },
      config,
      author: user.login,
      at: review.submitted_at ?? new Date().toISOString(),
      deliveryId: context.id,
      feedbackId: `review-${review.id}`,
    };

    // 4. A command that is not feedback is carried out as in a comment; changes requested along with help
    //    or a typo are still feedback.
    const asFeedback = !command || command.kind === "iterate" || command.kind === "use";
    if (command && !asFeedback) {
      await carryOutCommand(input, command);
      if (!changesRequested || !["help", "unknown"].includes(command.kind)) return;
    }

    // 5. One piece of feedback: the review's words (the command's, when it has one) and its line comments.
    const comments = await context.octokit.paginate(context.octokit.rest.pulls.listCommentsForReview, {
      ...context.repo(),
      pull_number: pull.number,
      review_id: review.id,
      per_page: 100,
    });
    const words = command?.kind === "iterate" || command?.kind === "use" ? command.text : (review.body ?? "");
    const text = reviewFeedbackText({
      changesRequested,
      body: words,
      comments: comments.map((c) => ({
        path: c.path,
        // A comment on a line that has changed since keeps where it was written.
        line: c.line ?? c.original_line ?? null,
        startLine: c.start_line ?? c.original_start_line ?? null,
        wholeFile: c.subject_type === "file",
        body: c.body,
      })),
    });
    await carryOutCommand(
      { ...input, extraFeedback: text },
      command?.kind === "use" ? command : { kind: "iterate", text },
    );
  };
}
