import { createHash } from "node:crypto";
import { type CommitInfo, simpleCommit } from "../ci/commits.js";
import type { Sandbox } from "../sandbox.js";
import type { Artifact, Repo, Workflow, WorkflowJob, WorkflowRun } from "../state/model.js";
import { renderPullsForSha } from "./checks.js";
import { nodeId, renderRepo, renderUserById } from "./core.js";

function urls(sb: Sandbox, repo: Repo) {
  const fullName = sb.store.fullName(repo);
  return { api: `${sb.baseUrl}/repos/${fullName}`, html: `${sb.baseUrl}/${fullName}` };
}

export function renderWorkflow(sb: Sandbox, repo: Repo, workflow: Workflow) {
  const { api, html } = urls(sb, repo);
  const file = workflow.path.split("/").pop() ?? workflow.path;
  return {
    id: workflow.id,
    node_id: nodeId("Workflow", workflow.id),
    name: workflow.name,
    path: workflow.path,
    state: workflow.state,
    created_at: workflow.createdAt,
    updated_at: workflow.createdAt,
    url: `${api}/actions/workflows/${workflow.id}`,
    html_url: `${html}/blob/${repo.defaultBranch}/${workflow.path}`,
    badge_url: `${html}/workflows/${file}/badge.svg`,
  };
}

/**
 * The `workflow-run` JSON. `checkSuiteId` is the GitHub Actions suite that holds the run's jobs;
 * `head` is the head commit (null if git no longer has it).
 */
export function renderWorkflowRun(
  sb: Sandbox,
  repo: Repo,
  run: WorkflowRun,
  checkSuiteId: number,
  head: CommitInfo | null,
) {
  const { api, html } = urls(sb, repo);
  const workflow = repo.workflows.find((w) => w.id === run.workflowId);
  const runUrl = `${api}/actions/runs/${run.id}`;
  const repository = renderRepo(sb, repo);
  return {
    id: run.id,
    name: run.name,
    node_id: nodeId("WorkflowRun", run.id),
    check_suite_id: checkSuiteId,
    check_suite_node_id: nodeId("CheckSuite", checkSuiteId),
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path: workflow?.path ?? "",
    run_number: run.runNumber,
    run_attempt: run.runAttempt,
    referenced_workflows: [],
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: run.workflowId,
    url: runUrl,
    html_url: `${html}/actions/runs/${run.id}`,
    // GitHub lists the pull requests only for runs a pull request triggered.
    pull_requests: run.event.startsWith("pull_request") ? renderPullsForSha(sb, repo, run.headSha) : [],
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    actor: renderUserById(sb, run.actorId),
    triggering_actor: renderUserById(sb, run.triggeringActorId),
    run_started_at: run.runStartedAt,
    jobs_url: `${runUrl}/jobs`,
    logs_url: `${runUrl}/logs`,
    check_suite_url: `${api}/check-suites/${checkSuiteId}`,
    artifacts_url: `${runUrl}/artifacts`,
    cancel_url: `${runUrl}/cancel`,
    rerun_url: `${runUrl}/rerun`,
    previous_attempt_url: run.runAttempt > 1 ? `${runUrl}/attempts/${run.runAttempt - 1}` : null,
    workflow_url: `${api}/actions/workflows/${run.workflowId}`,
    head_commit: head ? simpleCommit(head) : null,
    repository,
    head_repository: repository,
    head_repository_id: repo.id,
    display_title: run.displayTitle,
  };
}

/**
 * A job's steps: the ones its runner reported, except those not started (GitHub lists a step once it
 * starts); without a report, GitHub's set-up / run steps following the job's status.
 */
function steps(job: WorkflowJob) {
  if (job.status === "queued" || job.status === "waiting") return [];
  if (job.steps) {
    return job.steps
      .filter((s) => s.status !== "queued")
      .map((s) => ({
        name: s.name,
        status: s.status,
        conclusion: s.conclusion,
        number: s.number,
        started_at: s.startedAt,
        completed_at: s.completedAt,
      }));
  }
  const done = job.status === "completed";
  const step = (name: string, number: number, last: boolean) => ({
    name,
    status: done || !last ? "completed" : "in_progress",
    conclusion: done ? (last ? job.conclusion : "success") : !last ? "success" : null,
    number,
    started_at: job.startedAt,
    completed_at: done || !last ? (job.completedAt ?? job.startedAt) : null,
  });
  return [step("Set up job", 1, false), step(`Run ${job.name}`, 2, true)];
}

export function renderJob(sb: Sandbox, repo: Repo, run: WorkflowRun, job: WorkflowJob, checkRunId: number) {
  const { api, html } = urls(sb, repo);
  const assigned = job.runnerName !== null;
  return {
    id: job.id,
    run_id: run.id,
    run_url: `${api}/actions/runs/${run.id}`,
    run_attempt: run.runAttempt,
    node_id: nodeId("CheckRun", job.id),
    head_sha: run.headSha,
    url: `${api}/actions/jobs/${job.id}`,
    html_url: `${html}/actions/runs/${run.id}/job/${job.id}`,
    status: job.status,
    conclusion: job.conclusion,
    created_at: job.startedAt,
    started_at: job.startedAt,
    completed_at: job.completedAt,
    name: job.name,
    steps: steps(job),
    check_run_url: `${api}/check-runs/${checkRunId}`,
    labels: ["ubuntu-latest"],
    runner_id: assigned ? 1 : null,
    runner_name: job.runnerName,
    runner_group_id: assigned ? 1 : null,
    runner_group_name: assigned ? "GitHub Actions" : null,
    workflow_name: run.name,
    head_branch: run.headBranch,
  };
}

export function renderArtifact(sb: Sandbox, repo: Repo, run: WorkflowRun, artifact: Artifact) {
  const { api } = urls(sb, repo);
  const digest = createHash("sha256");
  for (const [path, bytes] of Object.entries(artifact.files)) digest.update(path).update(bytes);
  return {
    id: artifact.id,
    node_id: nodeId("Artifact", artifact.id),
    name: artifact.name,
    size_in_bytes: artifact.sizeInBytes,
    url: `${api}/actions/artifacts/${artifact.id}`,
    archive_download_url: `${api}/actions/artifacts/${artifact.id}/zip`,
    expired: artifact.expired,
    created_at: artifact.createdAt,
    expires_at: artifact.expiresAt,
    updated_at: artifact.createdAt,
    digest: `sha256:${digest.digest("hex")}`,
    workflow_run: {
      id: run.id,
      repository_id: repo.id,
      head_repository_id: repo.id,
      head_branch: run.headBranch,
      head_sha: run.headSha,
    },
  };
}
