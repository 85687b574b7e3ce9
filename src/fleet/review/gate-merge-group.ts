import type { GitHub } from "../../github/octokit.js";
import { withRetries } from "../../github/with-retries.js";
import type { ReviewJob } from "../queues.js";
import type { RunDeps } from "../run-task.js";
import { taskIdOfPull } from "../task.js";
import { postGate } from "./flotilla-checks.js";

/** The gate on a pull request no agent made (or one not judged): nothing for Flotilla to hold it up for. */
export async function passGate(
  gh: GitHub,
  where: { owner: string; repo: string; sha: string },
  pr: number,
): Promise<void> {
  await withRetries(() =>
    postGate(gh, where, {
      conclusion: "success",
      title: "Not an agent pull request",
      summary: `#${pr} was not made by a Flotilla agent, so there is no verdict to wait for.`,
    }),
  );
}

/** `refs/heads/gh-readonly-queue/<base>/pr-<number>-<head sha>`: the pull request a merge group tests. */
const QUEUE_REF = /\/pr-([1-9]\d*)-([0-9a-f]{40})$/;

/**
 * The gate on a merge group's head (the merge queue requires the same checks as the pull request): for an
 * agent's pull request, what the gate said on the head that entered the queue; anyone else's pull request
 * is not Flotilla's to hold up. The merge commit's own CI is the queue's other required checks.
 */
export async function gateMergeGroup(
  deps: RunDeps,
  job: Extract<ReviewJob, { kind: "merge-group" }>,
): Promise<void> {
  const gh = await deps.github(job.installationId);
  const where = { owner: job.repo.owner, repo: job.repo.name, sha: job.headSha };
  const match = QUEUE_REF.exec(job.headRef);
  if (!match?.[1] || !match[2]) return deps.log.info({ ref: job.headRef }, "merge group ref not understood");
  const [number, prSha] = [Number(match[1]), match[2]];
  const { data: pull } = await withRetries(() =>
    gh.rest.pulls.get({ owner: job.repo.owner, repo: job.repo.name, pull_number: number }),
  );
  const taskId = taskIdOfPull(job.repo.id, pull.head);
  const task = taskId ? await deps.fleet.store.get(taskId) : undefined;
  if (!task?.settings.judge) return passGate(gh, where, number);
  const review = task.review;
  const passed = review?.sha === prSha && review.gate === "success";
  await withRetries(() =>
    postGate(gh, where, {
      conclusion: passed ? "success" : "failure",
      title: passed ? "Judged and green" : "Not judged green",
      summary: passed
        ? `The gate passed on ${prSha} (#${number}): CI green and the judge approved.`
        : `The gate has not passed on ${prSha}, the head of #${number} that entered the queue${review?.sha && review.sha !== prSha ? ` (the judge's latest verdict is on ${review.sha})` : ""}.`,
    }),
  );
}
