import { type CommitInfo, simpleCommit } from "../ci/commits.js";
import type { Sandbox } from "../sandbox.js";
import type { CheckAnnotation, CheckRun, CheckSuite, CommitStatus, Repo } from "../state/model.js";
import { nodeId, renderApp, renderRepo, renderUserById } from "./core.js";

const ZERO_SHA = "0000000000000000000000000000000000000000";

function urls(sb: Sandbox, repo: Repo) {
  const fullName = sb.store.fullName(repo);
  return { api: `${sb.baseUrl}/repos/${fullName}`, html: `${sb.baseUrl}/${fullName}` };
}

function appOf(sb: Sandbox, appId: number) {
  const app = sb.store.apps.get(appId);
  return app ? renderApp(sb, app) : null;
}

/**
 * `pull-request-minimal` for the open pull requests whose head is this sha: what GitHub lists in a check
 * run's or suite's `pull_requests` (so an App can find the PR a CI result belongs to).
 */
export function renderPullsForSha(sb: Sandbox, repo: Repo, sha: string) {
  const { api } = urls(sb, repo);
  const repoRef = { id: repo.id, url: api, name: repo.name };
  const out = [];
  for (const issue of repo.issues.values()) {
    const pull = issue.pull;
    if (!pull || issue.state !== "open" || pull.headSha !== sha) continue;
    out.push({
      url: `${api}/pulls/${issue.number}`,
      id: pull.id,
      number: issue.number,
      head: { ref: pull.headRef, sha: pull.headSha, repo: repoRef },
      base: { ref: pull.baseRef, sha: pull.baseSha, repo: repoRef },
    });
  }
  return out;
}

/** The `check-run` JSON of the REST API. */
export function renderCheckRun(sb: Sandbox, repo: Repo, run: CheckRun) {
  const { api, html } = urls(sb, repo);
  const app = appOf(sb, run.appId);
  return {
    id: run.id,
    head_sha: run.headSha,
    node_id: nodeId("CheckRun", run.id),
    external_id: run.externalId ?? "",
    url: `${api}/check-runs/${run.id}`,
    html_url: `${html}/runs/${run.id}`,
    details_url: run.detailsUrl ?? app?.html_url ?? null,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: run.output.annotations.length,
      annotations_url: `${api}/check-runs/${run.id}/annotations`,
    },
    name: run.name,
    check_suite: { id: run.suiteId },
    app,
    pull_requests: renderPullsForSha(sb, repo, run.headSha),
  };
}

/** The check suite as webhooks nest it (no repository or head commit), also the base of the REST shape. */
export function renderSuiteBrief(sb: Sandbox, repo: Repo, suite: CheckSuite, head: CommitInfo | null) {
  const { api } = urls(sb, repo);
  return {
    id: suite.id,
    node_id: nodeId("CheckSuite", suite.id),
    head_branch: suite.headBranch,
    head_sha: suite.headSha,
    status: suite.status,
    conclusion: suite.conclusion,
    url: `${api}/check-suites/${suite.id}`,
    before: head?.parents[0] ?? ZERO_SHA,
    after: suite.headSha,
    pull_requests: renderPullsForSha(sb, repo, suite.headSha),
    app: appOf(sb, suite.appId),
    created_at: suite.createdAt,
    updated_at: suite.updatedAt,
  };
}

/** The `check-suite` JSON of the REST API (and of `check_suite` webhooks). */
export function renderCheckSuite(sb: Sandbox, repo: Repo, suite: CheckSuite, head: CommitInfo | null) {
  const { api } = urls(sb, repo);
  return {
    ...renderSuiteBrief(sb, repo, suite, head),
    repository: renderRepo(sb, repo),
    head_commit: head ? simpleCommit(head) : null,
    latest_check_runs_count: repo.checkRuns.filter((r) => r.suiteId === suite.id).length,
    check_runs_url: `${api}/check-suites/${suite.id}/check-runs`,
    rerequestable: true,
    runs_rerequestable: true,
  };
}

export function renderAnnotation(sb: Sandbox, repo: Repo, sha: string, a: CheckAnnotation) {
  return {
    path: a.path,
    blob_href: `${urls(sb, repo).html}/blob/${sha}/${a.path}`,
    start_line: a.start_line,
    end_line: a.end_line,
    start_column: a.start_column ?? null,
    end_column: a.end_column ?? null,
    annotation_level: a.annotation_level,
    title: a.title ?? null,
    message: a.message,
    raw_details: a.raw_details ?? null,
  };
}

/** The `status` JSON (a commit status with its creator). */
export function renderStatus(sb: Sandbox, repo: Repo, status: CommitStatus) {
  return {
    url: `${urls(sb, repo).api}/statuses/${status.sha}`,
    avatar_url: `${sb.baseUrl}/_avatars/${status.creatorId}`,
    id: status.id,
    node_id: nodeId("StatusContext", status.id),
    state: status.state,
    description: status.description,
    target_url: status.targetUrl,
    context: status.context,
    created_at: status.createdAt,
    updated_at: status.updatedAt,
    creator: renderUserById(sb, status.creatorId),
  };
}

/** The latest status per context wins, as on GitHub. */
export function latestPerContext(statuses: CommitStatus[]): CommitStatus[] {
  const byContext = new Map<string, CommitStatus>();
  for (const status of statuses) {
    const seen = byContext.get(status.context);
    if (!seen || seen.id < status.id) byContext.set(status.context, status);
  }
  return [...byContext.values()].sort((a, b) => b.id - a.id);
}

/** failure if any context failed or errored, pending if any is pending or there are none, else success. */
export function combinedState(latest: CommitStatus[]): "failure" | "pending" | "success" {
  if (latest.some((s) => s.state === "failure" || s.state === "error")) return "failure";
  if (latest.length === 0 || latest.some((s) => s.state === "pending")) return "pending";
  return "success";
}

export function renderCombinedStatus(sb: Sandbox, repo: Repo, sha: string, latest: CommitStatus[]) {
  const { api } = urls(sb, repo);
  return {
    state: combinedState(latest),
    statuses: latest.map((s) => {
      const { creator: _creator, ...rest } = renderStatus(sb, repo, s);
      return rest;
    }),
    sha,
    total_count: latest.length,
    repository: renderRepo(sb, repo),
    commit_url: `${api}/commits/${sha}`,
    url: `${api}/commits/${sha}/status`,
  };
}
