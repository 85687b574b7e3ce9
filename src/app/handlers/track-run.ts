import type { Context } from "probot";
import { parseRunTitle } from "../../backends/actions/workflow-inputs.js";
import { workflowFile } from "../../backends/actions/workflow-runs.js";
import { markRunning, recordRunId, taskOfRun } from "../../fleet/dispatch-run.js";
import type { Fleet } from "../../fleet/fleet.js";
import { collectJobFor, collectJobId } from "../../fleet/queues.js";
import { judgeRunCompleted } from "../../fleet/review/judge-on-runner.js";
import type { Task } from "../../fleet/task.js";

export interface TrackRunDeps {
  fleet: Fleet;
}

type RunPayload = Context<"workflow_run">["payload"]["workflow_run"];

/**
 * `workflow_run` and `workflow_job`: GitHub reporting on an agent workflow run. Only runs Flotilla dispatched
 * count: known by the id the dispatch returned, or, without one, by the run's name, for the dispatch still
 * waiting for it. Started → the task is running and its status links the logs; completed → a collect job
 * reads the result (a judge's run: the judge following it is told). Nothing slow happens here.
 */
export function trackRun(deps: TrackRunDeps) {
  return async (context: Context<"workflow_run" | "workflow_job">): Promise<void> => {
    const { fleet } = deps;
    const repoId = context.payload.repository.id;
    if (context.name === "workflow_run") {
      const { payload } = context as Context<"workflow_run">;
      const run = payload.workflow_run;
      let task = await taskOfRun(fleet, repoId, run.id);
      if (!task && payload.action === "requested") task = await correlate(fleet, repoId, run);
      if (!task) {
        // Maybe a judge's run: the judge following it reads its answer.
        if (payload.action === "completed") await judgeRunCompleted(fleet, repoId, run.id);
        return;
      }
      context.log.debug({ task: task.id, run: run.id, action: payload.action }, "agent workflow run");
      if (payload.action === "in_progress")
        await markRunning(fleet, task, new Date().toISOString(), run.html_url);
      if (payload.action === "completed") {
        const job = collectJobFor(task);
        await fleet.queues.runs.add("collect", job, { jobId: collectJobId(job) });
      }
      return;
    }
    const { payload } = context as Context<"workflow_job">;
    if (payload.action !== "in_progress") return;
    const task = await taskOfRun(fleet, repoId, payload.workflow_job.run_id);
    if (task)
      await markRunning(fleet, task, new Date().toISOString(), payload.workflow_job.html_url ?? undefined);
  };
}

/** A run GitHub did not name in the dispatch's answer: taken up when its name is the waiting dispatch's. */
async function correlate(fleet: Fleet, repoId: number, run: RunPayload): Promise<Task | undefined> {
  const named = parseRunTitle((run as { display_title?: string }).display_title ?? "");
  if (!named || run.event !== "workflow_dispatch") return undefined;
  const task = await fleet.store.get(named.taskId);
  if (!task?.run || task.run.id || task.repo.id !== repoId) return undefined;
  if (task.attempt !== named.attempt || task.run.dispatch !== named.dispatch) return undefined;
  if (run.path !== `.github/workflows/${workflowFile(task)}` || run.head_branch !== task.repo.defaultBranch)
    return undefined;
  if (!(await recordRunId(fleet, task, run.id, run.html_url))) return undefined;
  return taskOfRun(fleet, repoId, run.id);
}
