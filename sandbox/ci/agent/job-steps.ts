import type { Sandbox } from "../../sandbox.js";
import type { WorkflowJob, WorkflowStep } from "../../state/model.js";

/**
 * The job's steps as the runner reports them: "Set up job", the workflow's steps, "Complete job", numbered
 * from 1. Once the job is completed (a cancel closes its steps) nothing here changes them any more.
 */
export class JobSteps {
  constructor(
    private readonly sb: Sandbox,
    private readonly job: WorkflowJob,
    names: string[],
  ) {
    job.steps = ["Set up job", ...names, "Complete job"].map((name, i) => ({
      name,
      number: i + 1,
      status: "queued",
      conclusion: null,
      startedAt: null,
      completedAt: null,
    }));
  }

  /** The number of the workflow's step at this index (0-based) among the job's steps. */
  static numberOf(index: number): number {
    return index + 2;
  }

  get last(): number {
    return this.job.steps?.length ?? 0;
  }

  private step(number: number): WorkflowStep | undefined {
    if (this.job.status === "completed") return undefined;
    return this.job.steps?.find((s) => s.number === number);
  }

  begin(number: number): void {
    const step = this.step(number);
    if (!step) return;
    step.status = "in_progress";
    step.startedAt = this.sb.store.nowIso();
  }

  end(number: number, conclusion: "success" | "failure" | "cancelled"): void {
    const step = this.step(number);
    if (!step) return;
    step.status = "completed";
    step.conclusion = conclusion;
    step.startedAt ??= this.sb.store.nowIso();
    step.completedAt = this.sb.store.nowIso();
  }

  /** A step that did not run because an earlier one failed (or its `if:` said no). */
  skip(number: number): void {
    const step = this.step(number);
    if (!step) return;
    step.status = "completed";
    step.conclusion = "skipped";
    step.startedAt = this.sb.store.nowIso();
    step.completedAt = step.startedAt;
  }
}
