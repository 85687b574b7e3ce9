import type { GitHub } from "../../github/octokit.js";
import type { CheckAnnotation } from "../../judge/render-review.js";

/** The judge's own check run. */
export const JUDGE_CHECK = "Flotilla judge";
/** The gate: the one check branch protection requires, pinned to the App. */
export const GATE_CHECK = "Flotilla";

type Where = { owner: string; repo: string };

export interface CheckReport {
  title: string;
  summary: string;
}

export interface CheckResult extends CheckReport {
  conclusion: "success" | "failure" | "cancelled";
  annotations?: CheckAnnotation[];
}

/**
 * The judge's and the gate's check runs on a head, in progress: the unfinished ones this App already made
 * there (a retried job) or new ones. Listed by App id, so a check of the same name from a workflow is not taken.
 */
export async function putUpChecks(
  gh: GitHub,
  where: Where & { sha: string; appId: number },
  detailsUrl: string | undefined,
  /** New ones even if unfinished ones are there (the head is judged again). */
  fresh = false,
): Promise<{ judgeCheckId: number; gateCheckId: number }> {
  const { data } = await gh.rest.checks.listForRef({
    owner: where.owner,
    repo: where.repo,
    ref: where.sha,
    app_id: where.appId,
    filter: "latest",
    per_page: 100,
  });
  // Only unfinished ones: GitHub does not put a completed check run back in progress.
  const existing = (name: string) =>
    fresh
      ? undefined
      : data.check_runs.find(
          (run) => run.name === name && run.app?.id === where.appId && run.status !== "completed",
        )?.id;
  const create = async (name: string, output: CheckReport) =>
    (
      await gh.rest.checks.create({
        owner: where.owner,
        repo: where.repo,
        name,
        head_sha: where.sha,
        status: "in_progress",
        started_at: new Date().toISOString(),
        ...(detailsUrl ? { details_url: detailsUrl } : {}),
        output,
      })
    ).data.id;
  const judgeCheckId =
    existing(JUDGE_CHECK) ??
    (await create(JUDGE_CHECK, {
      title: "Waiting for CI",
      summary: "The judge reviews this commit once the repository's CI has finished on it.",
    }));
  const gateCheckId =
    existing(GATE_CHECK) ??
    (await create(GATE_CHECK, {
      title: "Waiting for CI and the judge",
      summary: "Passes when every CI check on this commit passed and the judge approved it.",
    }));
  return { judgeCheckId, gateCheckId };
}

/** Says where an unfinished check is (and, with `detailsUrl`, where to follow it). */
export async function reportProgress(
  gh: GitHub,
  where: Where,
  id: number,
  output: CheckReport,
  detailsUrl?: string,
) {
  await gh.rest.checks.update({
    ...where,
    check_run_id: id,
    status: "in_progress",
    output,
    ...(detailsUrl ? { details_url: detailsUrl } : {}),
  });
}

/** Completes a check run (annotations: at most 50, as GitHub takes per request). */
export async function completeCheck(gh: GitHub, where: Where, id: number, result: CheckResult) {
  await gh.rest.checks.update({
    ...where,
    check_run_id: id,
    status: "completed",
    conclusion: result.conclusion,
    completed_at: new Date().toISOString(),
    output: {
      title: result.title,
      summary: result.summary,
      ...(result.annotations?.length ? { annotations: result.annotations.slice(0, 50) } : {}),
    },
  });
}

/** A gate reported at once, complete (a merge group). */
export async function postGate(gh: GitHub, where: Where & { sha: string }, result: CheckResult) {
  await gh.rest.checks.create({
    owner: where.owner,
    repo: where.repo,
    name: GATE_CHECK,
    head_sha: where.sha,
    status: "completed",
    conclusion: result.conclusion,
    completed_at: new Date().toISOString(),
    output: { title: result.title, summary: result.summary },
  });
}
