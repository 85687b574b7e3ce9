import type { Context } from "probot";
import type { Fleet } from "../../fleet/fleet.js";
import { reviewStartJobId } from "../../fleet/queues.js";
import { taskIdOfPull } from "../../fleet/task.js";
import { judgeEnabled } from "../config/judge-settings.js";
import { loadRepoConfig } from "../config/load-config.js";

export interface ReviewHeadDeps {
  fleet: Fleet;
}

type PullContext = Context<
  | "pull_request.opened"
  | "pull_request.reopened"
  | "pull_request.synchronize"
  | "pull_request.ready_for_review"
>;

/**
 * Anyone else's pull request: where the repository judges agents' work, its gate passes at once, so that a
 * required "Flotilla" holds up no one else (one config read, then a queued check run).
 */
async function passGate(deps: ReviewHeadDeps, context: PullContext): Promise<void> {
  const loaded = await loadRepoConfig(context as unknown as Context<"issues">);
  if (!loaded.ok || !judgeEnabled(loaded.config)) return;
  const { pull_request: pull, repository, installation } = context.payload;
  if (!installation) throw new Error("webhook has no installation; is it from the GitHub App?");
  await deps.fleet.queues.reviews.add(
    "pass-gate",
    {
      kind: "pass-gate",
      installationId: installation.id,
      repo: { owner: repository.owner.login, name: repository.name },
      sha: pull.head.sha,
      pr: pull.number,
    },
    { jobId: `pass-gate-${repository.id}-${pull.head.sha}` },
  );
}

/**
 * `pull_request` opened, reopened, synchronize, ready_for_review: a new head on an agent's pull request is
 * judged, whoever pushed it (the worker also asks for Flotilla's own commits; one job id makes it one start).
 * Only a task branch of this repository (no fork) counts; every other pull request gets a passing gate. An
 * agent's draft (partial work, `limits.partialWork: draft-pr`) is not judged: no check runs, no gate, no fix
 * rounds, until a person marks it ready for review, which judges its head then.
 */
export function reviewHead(deps: ReviewHeadDeps) {
  return async (context: PullContext): Promise<void> => {
    const { pull_request: pull, repository } = context.payload;
    const taskId = taskIdOfPull(repository.id, pull.head);
    const task = taskId ? await deps.fleet.store.get(taskId) : undefined;
    // Not an agent's: nothing to wait for. An agent's with the judge off when it was asked for: no gate
    // (and no config read); one from before the judge gets it when its label is added again.
    if (!task) return passGate(deps, context);
    if (!task.settings.judge) return context.log.debug({ task: task.id }, "judge off for this task");
    if (pull.draft) return context.log.debug({ task: task.id }, "a draft; judged once marked ready");
    // Marked ready: Flotilla's own commits are judged again from now on (requestReview reads the flag).
    if (task.pr?.draft && task.pr.number === pull.number)
      await deps.fleet.store.update(task.id, { pr: { number: task.pr.number, url: task.pr.url } });
    // Flotilla's own commit is asked for by the worker too: the same job id makes it one start.
    await deps.fleet.queues.reviews.add(
      "start",
      { kind: "start", taskId: task.id, sha: pull.head.sha, pr: pull.number },
      { jobId: reviewStartJobId(task.id, pull.head.sha) },
    );
  };
}
