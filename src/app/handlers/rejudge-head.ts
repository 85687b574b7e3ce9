import type { Context } from "probot";
import type { Fleet } from "../../fleet/fleet.js";
import { GATE_CHECK, JUDGE_CHECK } from "../../fleet/review/flotilla-checks.js";

export interface RejudgeHeadDeps {
  fleet: Fleet;
  appId: number;
}

/**
 * `check_run.rerequested` on Flotilla's judge or gate check (GitHub offers "Re-run" to people with write
 * access): that head is judged again from the start, the way out after a judge that errored.
 */
export function rejudgeHead(deps: RejudgeHeadDeps) {
  return async (context: Context<"check_run.rerequested">): Promise<void> => {
    const { check_run: run, repository } = context.payload;
    if (run.app?.id !== deps.appId || ![JUDGE_CHECK, GATE_CHECK].includes(run.name)) return;
    const { fleet } = deps;
    const taskId = await fleet.redis.get(fleet.keys.reviewHead(repository.id, run.head_sha));
    const task = taskId ? await fleet.store.get(taskId) : undefined;
    if (!task?.review || task.review.sha !== run.head_sha)
      return context.log.info({ sha: run.head_sha }, "re-run asked on a head that is not under review");
    await fleet.queues.reviews.add(
      "start",
      { kind: "start", taskId: task.id, sha: run.head_sha, pr: task.review.pr, again: true },
      { jobId: `rejudge-${task.id}-${run.head_sha}-${context.id}` },
    );
  };
}
