import type { GitHub } from "../../github/octokit.js";
import type { DiffFile } from "../../github/read-diff.js";
import { withRetries } from "../../github/with-retries.js";
import type { CiReport } from "../../judge/ci-report.js";
import { commentableLines } from "../../judge/diff-lines.js";
import { decideGate, judgeConclusion } from "../../judge/gate.js";
import { checkAnnotations, inlineComments, renderReviewBody } from "../../judge/render-review.js";
import type { Verdict } from "../../judge/verdict.js";
import { httpStatus } from "../../publish/request-error.js";
import { showStatus } from "../finish-task.js";
import type { RunDeps } from "../run-task.js";
import { type Review, TASK_STATES, type Task } from "../task.js";
import { startFixRound } from "./fix-loop.js";
import { completeCheck } from "./flotilla-checks.js";
import { followCiSoon } from "./follow-ci.js";
import type { Judgement } from "./run-judge.js";
import { reviewState, stateOfReview } from "./start-review.js";

/**
 * What the judge's answer becomes, as numbered steps: a review on the pull request (findings on their
 * lines), the "Flotilla judge" check with annotations, the gate "Flotilla" as CI and the verdict stand, the
 * record, then the fix loop when something must change.
 */
export async function postVerdict(
  deps: RunDeps,
  gh: GitHub,
  task: Task,
  review: Review,
  found: { judgement: Judgement; ci: CiReport; files: DiffFile[] },
): Promise<void> {
  const where = { owner: task.repo.owner, repo: task.repo.name };
  const { verdict, problem } = found.judgement;
  // 1. The review, for people.
  if (verdict) await withRetries(() => postReview(gh, task, review, verdict, found));
  // 2. The judge's check: success only for an approval; no verdict fails it.
  await withRetries(() =>
    completeCheck(gh, where, review.judgeCheckId, {
      ...judgeConclusion(verdict, problem),
      annotations: verdict ? checkAnnotations(verdict.findings) : [],
    }),
  );
  // 3. The gate.
  const gate = decideGate({
    ci: found.ci,
    ...(verdict ? { verdict } : {}),
    ...(problem ? { judgeProblem: problem } : {}),
  });
  await withRetries(() => completeCheck(gh, where, review.gateCheckId, gate));
  // 4. The record: the verdict for this head, unless a newer head took over.
  const done = await deps.fleet.store.updateIf(
    task.id,
    { states: TASK_STATES, review: { sha: review.sha, stage: "judging", judgeCheckId: review.judgeCheckId } },
    {
      review: {
        ...review,
        stage: "done",
        gate: gate.conclusion,
        gateTitle: gate.title,
        ...(verdict ? { decision: verdict.decision } : {}),
        ...(problem ? { problem } : {}),
      },
    },
  );
  if (!done) return;
  if (done.review) await reviewState(deps.fleet, task.id, review.sha, stateOfReview(done.review));
  // CI that reported between the last read and the record above is looked at again.
  await followCiSoon(deps.fleet, task.id, review.sha);
  // 5. Another round for the coding agent, when CI failed or the judge asked for changes.
  if (gate.conclusion === "failure")
    await startFixRound(deps, gh, done, { sha: review.sha, ci: found.ci, ...(verdict ? { verdict } : {}) });
  await showStatus(deps, gh, task.id);
}

/**
 * The judge job could not finish: both checks fail with the reason (never left in progress, which would
 * hold a required gate for good), each as far as GitHub lets, and the review records it.
 */
export async function giveUp(deps: RunDeps, gh: GitHub, task: Task, review: Review, problem: string) {
  const now = (await deps.fleet.store.get(task.id))?.review;
  if (now?.sha !== review.sha || now.judgeCheckId !== review.judgeCheckId) return; // superseded meanwhile
  const where = { owner: task.repo.owner, repo: task.repo.name };
  const judged = judgeConclusion(undefined, problem);
  const gate = decideGate({ ci: { checks: [] }, judgeProblem: problem });
  for (const [id, result] of [
    [review.judgeCheckId, judged],
    [review.gateCheckId, gate],
  ] as const) {
    await withRetries(() => completeCheck(gh, where, id, result)).catch((error: unknown) =>
      deps.log.error({ err: error, task: task.id }, "could not fail the check"),
    );
  }
  const done = await deps.fleet.store.updateIf(
    task.id,
    { states: TASK_STATES, review: { sha: review.sha, stage: "judging", judgeCheckId: review.judgeCheckId } },
    { review: { ...review, stage: "done", problem, gate: "failure", gateTitle: gate.title } },
  );
  if (!done) return;
  if (done.review) await reviewState(deps.fleet, task.id, review.sha, stateOfReview(done.review));
  await showStatus(deps, gh, task.id);
}

/** Marks the judge's review of a head, so that a retried job finds it rather than posting a second one. */
function reviewMarker(task: Task, sha: string): string {
  return `<!-- flotilla:judge task=${encodeURIComponent(task.id)} sha=${sha} -->`;
}

async function postReview(
  gh: GitHub,
  task: Task,
  review: Review,
  verdict: Verdict,
  found: { ci: CiReport; files: DiffFile[] },
): Promise<void> {
  const where = { owner: task.repo.owner, repo: task.repo.name, pull_number: review.pr };
  const marker = reviewMarker(task, review.sha);
  const posted = await gh.paginate(gh.rest.pulls.listReviews, { ...where, per_page: 100 });
  // The App's own review only: anyone can write a review that starts with the marker.
  if (posted.some((r) => r.user?.type === "Bot" && r.body?.startsWith(marker))) return;
  const commentable = new Map(found.files.map((f) => [f.path, commentableLines(f.patch)]));
  const inline = inlineComments(verdict.findings, commentable);
  const judge = task.settings.judge;
  const notes = judge?.sameAsAuthor
    ? [
        `The judge is ${task.agent} itself, the agent that wrote this change: no other agent is configured. Set \`judge.agent\` in \`.github/flotilla.yml\` for an independent reviewer.`,
      ]
    : [];
  // The body lists the findings that are not on a line of their own.
  const body = (shown: Verdict, inlineCount: number) =>
    `${marker}\n${renderReviewBody(shown, { sha: review.sha, judge: judge?.name ?? "judge", ci: found.ci, inlineCount, notes })}`;
  const base = { ...where, commit_id: review.sha, event: "COMMENT" as const };
  try {
    await gh.rest.pulls.createReview({
      ...base,
      body: body({ ...verdict, findings: inline.rest }, inline.comments.length),
      comments: inline.comments,
    });
  } catch (error) {
    // A line GitHub will not take a comment on (the diff moved): every finding goes in the body instead.
    if (httpStatus(error) !== 422 || inline.comments.length === 0) throw error;
    await gh.rest.pulls.createReview({ ...base, body: body(verdict, 0) });
  }
}
