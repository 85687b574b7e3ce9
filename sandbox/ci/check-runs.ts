import { HttpError, validationFailed } from "../http/errors.js";
import type { Sandbox } from "../sandbox.js";
import type {
  CheckAnnotation,
  CheckConclusion,
  CheckRun,
  CheckStatus,
  CheckSuite,
  Repo,
} from "../state/model.js";
import { emitCheckRun, emitCheckSuite } from "./check-events.js";
import { branchesAt, commitInfo } from "./commits.js";

/** GitHub's limit on annotations per create/update request. */
export const MAX_ANNOTATIONS_PER_REQUEST = 50;

/** A create or update of a check run, as the REST body says it (already schema-checked). */
export interface CheckRunChanges {
  name?: string;
  status?: "queued" | "in_progress" | "completed";
  conclusion?: CheckConclusion;
  startedAt?: string;
  completedAt?: string;
  detailsUrl?: string;
  externalId?: string;
  output?: { title?: string; summary?: string; text?: string; annotations?: CheckAnnotation[] };
}

/** The worst conclusion wins the suite, in this order (GitHub: "the highest priority conclusion"). */
const PRIORITY: CheckConclusion[] = [
  "action_required",
  "cancelled",
  "timed_out",
  "failure",
  "startup_failure",
  "stale",
  "success",
  "neutral",
  "skipped",
];

/** The App's suite for this sha, created (queued) when there is none yet. */
export async function ensureSuite(sb: Sandbox, repo: Repo, appId: number, sha: string): Promise<CheckSuite> {
  const existing = repo.checkSuites.find((s) => s.appId === appId && s.headSha === sha);
  return existing ?? newSuite(sb, repo, appId, sha);
}

/** A new suite even when the App has one for the sha already (GitHub Actions makes one per workflow run). */
export async function newSuite(
  sb: Sandbox,
  repo: Repo,
  appId: number,
  sha: string,
  branch?: string,
): Promise<CheckSuite> {
  const now = sb.store.nowIso();
  const suite: CheckSuite = {
    id: sb.store.nextId(),
    appId,
    headSha: sha,
    headBranch: branch ?? (await headBranchFor(repo, sha)),
    status: "queued",
    conclusion: null,
    createdAt: now,
    updatedAt: now,
  };
  repo.checkSuites.push(suite);
  return suite;
}

/** Prefer a pull request's head branch, then any branch at the sha, as GitHub names `head_branch`. */
async function headBranchFor(repo: Repo, sha: string): Promise<string | null> {
  for (const issue of repo.issues.values()) if (issue.pull?.headSha === sha) return issue.pull.headRef;
  const branches = await branchesAt(repo, sha);
  return branches.includes(repo.defaultBranch) ? repo.defaultBranch : (branches[0] ?? null);
}

/** Status and conclusion after a change, by GitHub's rules; throws the 422 GitHub answers. */
function nextState(run: Pick<CheckRun, "status" | "conclusion"> | null, changes: CheckRunChanges) {
  if (changes.conclusion === "stale")
    throw invalid('"conclusion" cannot be set to stale: only GitHub can set it.');
  if ((changes.output?.annotations?.length ?? 0) > MAX_ANNOTATIONS_PER_REQUEST) {
    throw validationFailed(
      "CheckRun",
      "annotations",
      "invalid",
      "Only 50 annotations are allowed per request",
    );
  }
  // A conclusion makes the run completed; completed (or a completed_at) needs a conclusion.
  let status: CheckStatus = changes.conclusion ? "completed" : (changes.status ?? run?.status ?? "queued");
  if (changes.completedAt && !changes.conclusion && !run?.conclusion) status = "completed";
  const conclusion = changes.conclusion ?? (status === "completed" ? (run?.conclusion ?? null) : null);
  if (status === "completed" && !conclusion) throw invalid('"conclusion" wasn\'t supplied.');
  return { status, conclusion };
}

function invalid(detail: string): HttpError {
  return new HttpError(422, `Invalid request.\n\n${detail}`);
}

function applyOutput(run: CheckRun, output: CheckRunChanges["output"]): void {
  if (!output) return;
  if (output.title !== undefined) run.output.title = output.title;
  if (output.summary !== undefined) run.output.summary = output.summary;
  if (output.text !== undefined) run.output.text = output.text;
  // Annotations accumulate across requests: that is how more than 50 get onto one run.
  if (output.annotations) run.output.annotations.push(...output.annotations);
}

export async function createCheckRun(
  sb: Sandbox,
  repo: Repo,
  appId: number,
  headSha: string,
  changes: CheckRunChanges & { name: string },
  suite?: CheckSuite,
): Promise<CheckRun> {
  const { status, conclusion } = nextState(null, changes);
  if (!(await commitInfo(repo, headSha))) {
    throw validationFailed("CheckRun", "head_sha", "invalid", `No commit found for SHA: ${headSha}`);
  }
  const owner = suite ?? (await ensureSuite(sb, repo, appId, headSha));
  const now = sb.store.nowIso();
  const run: CheckRun = {
    id: sb.store.nextId(),
    suiteId: owner.id,
    appId,
    name: changes.name,
    headSha,
    status,
    conclusion,
    externalId: changes.externalId ?? null,
    detailsUrl: changes.detailsUrl ?? null,
    startedAt: changes.startedAt ?? now,
    completedAt: status === "completed" ? (changes.completedAt ?? now) : null,
    output: { title: null, summary: null, text: null, annotations: [] },
  };
  applyOutput(run, changes.output);
  repo.checkRuns.push(run);
  await emitCheckRun(sb, repo, run, "created");
  if (status === "completed") await emitCheckRun(sb, repo, run, "completed");
  await rollupSuite(sb, repo, owner);
  return run;
}

export async function updateCheckRun(sb: Sandbox, repo: Repo, run: CheckRun, changes: CheckRunChanges) {
  const wasCompleted = run.status === "completed";
  const { status, conclusion } = nextState(run, changes);
  if (changes.name !== undefined) run.name = changes.name;
  if (changes.detailsUrl !== undefined) run.detailsUrl = changes.detailsUrl;
  if (changes.externalId !== undefined) run.externalId = changes.externalId;
  if (changes.startedAt !== undefined) run.startedAt = changes.startedAt;
  run.status = status;
  run.conclusion = conclusion;
  run.completedAt =
    status === "completed" ? (changes.completedAt ?? run.completedAt ?? sb.store.nowIso()) : null;
  applyOutput(run, changes.output);
  if (status === "completed" && !wasCompleted) await emitCheckRun(sb, repo, run, "completed");
  const suite = repo.checkSuites.find((s) => s.id === run.suiteId);
  if (suite) await rollupSuite(sb, repo, suite);
  return run;
}

/** A suite follows its runs; when it turns completed, `check_suite.completed` goes out. */
export async function rollupSuite(sb: Sandbox, repo: Repo, suite: CheckSuite): Promise<void> {
  const runs = repo.checkRuns.filter((r) => r.suiteId === suite.id);
  if (runs.length === 0) return;
  const before = suite.status;
  if (runs.every((r) => r.status === "completed")) {
    suite.status = "completed";
    const conclusions = new Set(runs.map((r) => r.conclusion));
    suite.conclusion = PRIORITY.find((c) => conclusions.has(c)) ?? "success";
  } else {
    suite.status = runs.some((r) => r.status !== "queued") ? "in_progress" : "queued";
    suite.conclusion = null;
  }
  suite.updatedAt = sb.store.nowIso();
  if (suite.status === "completed" && before !== "completed")
    await emitCheckSuite(sb, repo, suite, "completed");
}
