import type { WorkflowJob, WorkflowRun } from "../state/model.js";

/**
 * GitHub Actions keeps each run in a check suite and each job in a check run. The state model does not
 * carry those links, so they live here, beside the records they belong to.
 */
const suites = new WeakMap<WorkflowRun, number>();
const checkRuns = new WeakMap<WorkflowJob, number>();
const aborts = new WeakMap<WorkflowRun, AbortController>();

export function linkSuite(run: WorkflowRun, suiteId: number): void {
  suites.set(run, suiteId);
}

export function suiteOf(run: WorkflowRun): number {
  return suites.get(run) ?? 0;
}

export function linkCheckRun(job: WorkflowJob, checkRunId: number): void {
  checkRuns.set(job, checkRunId);
}

export function checkRunOf(job: WorkflowJob): number {
  return checkRuns.get(job) ?? 0;
}

/** Aborted when the run is cancelled, so an executor working on it can stop. */
export function abortSignalOf(run: WorkflowRun): AbortSignal {
  let controller = aborts.get(run);
  if (!controller) {
    controller = new AbortController();
    aborts.set(run, controller);
  }
  return controller.signal;
}

export function abortRun(run: WorkflowRun): void {
  aborts.get(run)?.abort(new Error("the workflow run was cancelled"));
}

/** A fresh signal for a new attempt of the run. */
export function renewAbortSignal(run: WorkflowRun): void {
  aborts.delete(run);
}
