import type { GitHub } from "../../github/octokit.js";
import type { CiCheck, CiReport } from "../../judge/ci-report.js";

/** Most characters of a failing check's own report kept for the judge and the fix loop. */
const DETAILS_CHARS = 4_000;
/** Failing checks whose annotations are read (one request each). */
const ANNOTATED_CHECKS = 10;

/** How long an Actions check suite with no runs yet is waited for (see readCi). */
const STARTING_SUITE_MS = 2 * 60_000;

const PASSED = new Set(["success", "neutral", "skipped"]);

export interface CiTarget {
  owner: string;
  repo: string;
  sha: string;
  /** Flotilla's own App: its check runs ("Flotilla judge", "Flotilla") are not CI. */
  appId: number;
}

/**
 * The repository's CI on a commit: every check run not made by Flotilla, commit statuses, and check suites
 * of GitHub Actions made in the last two minutes that have no runs yet (a workflow about to start). Other
 * Apps' suites with no runs are left out: GitHub makes a suite for every App that may write checks, and most
 * never report on it.
 */
export async function readCi(gh: GitHub, target: CiTarget): Promise<CiReport> {
  const where = { owner: target.owner, repo: target.repo, ref: target.sha, per_page: 100 };
  const [runs, suites, combined] = await Promise.all([
    gh.paginate(gh.rest.checks.listForRef, { ...where, filter: "latest" }),
    gh.paginate(gh.rest.checks.listSuitesForRef, where),
    gh.rest.repos.getCombinedStatusForRef(where),
  ]);
  const checks: CiCheck[] = [];
  let annotated = 0;
  for (const run of runs) {
    if (run.app?.id === target.appId) continue;
    const state =
      run.status !== "completed" ? "pending" : PASSED.has(run.conclusion ?? "") ? "passed" : "failed";
    const check: CiCheck = {
      name: run.name,
      kind: "check",
      state,
      url: run.html_url ?? run.details_url ?? "",
    };
    if (run.conclusion) check.conclusion = run.conclusion;
    if (state === "failed") {
      const notes =
        annotated++ < ANNOTATED_CHECKS && run.output.annotations_count > 0
          ? await annotationsOf(gh, target, run.id)
          : [];
      check.details = tail([run.output.title, run.output.summary, run.output.text, ...notes]);
    }
    checks.push(check);
  }
  // An Actions suite with no runs stays queued for good when no workflow matched the event (path filters,
  // `on: pull_request` only for a push suite): it counts as a workflow about to start only for a while.
  const startingActions = suites.filter(
    (suite) =>
      suite.app?.id !== target.appId &&
      suite.app?.slug === "github-actions" &&
      suite.status !== "completed" &&
      (suite.latest_check_runs_count ?? 0) === 0 &&
      Date.now() - Date.parse(suite.created_at ?? "") < STARTING_SUITE_MS,
  );
  for (const suite of startingActions)
    checks.push({ name: `GitHub Actions (suite ${suite.id}, starting)`, kind: "check", state: "pending" });
  for (const status of combined.data.statuses) {
    const state = status.state === "pending" ? "pending" : status.state === "success" ? "passed" : "failed";
    const check: CiCheck = { name: status.context, kind: "status", state, conclusion: status.state };
    if (status.target_url) check.url = status.target_url;
    if (state === "failed" && status.description) check.details = status.description;
    checks.push(check);
  }
  return { checks };
}

async function annotationsOf(gh: GitHub, target: CiTarget, checkRunId: number): Promise<string[]> {
  const { data } = await gh.rest.checks.listAnnotations({
    owner: target.owner,
    repo: target.repo,
    check_run_id: checkRunId,
    per_page: 50,
  });
  return data.map((a) => `${a.path}:${a.start_line}: ${a.annotation_level}: ${a.message ?? ""}`);
}

/** The end of a check's report: the part with the failure in it, for a long log. */
function tail(parts: (string | null | undefined)[]): string | undefined {
  const text = parts
    .filter((p): p is string => !!p && p.trim() !== "")
    .join("\n\n")
    .trim();
  if (text === "") return undefined;
  return text.length > DETAILS_CHARS ? `…${text.slice(-DETAILS_CHARS)}` : text;
}
