import type { Task } from "../../fleet/task.js";
import { requestDigest } from "../../runner/request-digest.js";

/**
 * The agent workflow's `workflow_dispatch` inputs (.github/workflows/flotilla-agent.yml). Anyone who can see
 * the run can read them, so they are ids only: never the issue's text, never a token.
 */
export type WorkflowInputs = Record<
  "task" | "attempt" | "dispatch" | "role" | "issue" | "agent" | "base" | "triggered_at" | "digest",
  string
> & { minutes: number };

/** Time for checkout, Node and the CLI's install, on top of the agent's own timeout. */
const SETUP_MINUTES = 10;

/**
 * The inputs of a task's run: a first run (`code`: the runner reads the issue, checked against its digest)
 * or an iteration (`iterate`: the request Flotilla stored as a blob, recorded with the dispatch).
 */
export function workflowInputs(task: Task, dispatch: number): WorkflowInputs {
  const request = task.run?.request;
  if (task.iteration && !request) throw new Error(`task ${task.id}'s iteration has no stored request`);
  return inputsOf(task, {
    role: task.iteration ? "iterate" : "code",
    dispatch: String(dispatch),
    agent: task.agent,
    digest: task.iteration && request ? request : requestDigest(triggerOf(task)),
    timeoutMs: task.settings.agent.timeout,
  });
}

/** A run of the judge in the agent workflow: which review and round it is, and its stored request. */
export interface JudgeDispatch {
  /** `<review>-<round>` (`j<check run>-1`): in the run's name instead of a dispatch number. */
  label: string;
  /** The git blob holding the request (StoredRequestSchema). */
  request: string;
}

/** The inputs of a judge run: the judge agent, its own time limit, the request stored for it. */
export function judgeInputs(task: Task, judge: JudgeDispatch): WorkflowInputs {
  const settings = task.settings.judge;
  if (!settings) throw new Error(`task ${task.id} has no judge configured`);
  return inputsOf(task, {
    role: "judge",
    dispatch: judge.label,
    agent: settings.name,
    digest: judge.request,
    timeoutMs: settings.agent.timeout,
  });
}

function inputsOf(
  task: Task,
  run: { role: string; dispatch: string; agent: string; digest: string; timeoutMs: number },
): WorkflowInputs {
  const inputs: WorkflowInputs = {
    task: task.id,
    attempt: String(task.attempt),
    dispatch: run.dispatch,
    role: run.role,
    issue: String(task.issue),
    agent: run.agent,
    base: task.repo.defaultBranch,
    triggered_at: triggerOf(task).at,
    digest: run.digest,
    minutes: jobMinutes(run.timeoutMs),
  };
  assertIdsOnly(inputs);
  return inputs;
}

function triggerOf(task: Task): NonNullable<Task["trigger"]> {
  if (!task.trigger) throw new Error(`task ${task.id} has no trigger to run on the actions backend`);
  return task.trigger;
}

/** The job's `timeout-minutes`: the agent's own timeout, in whole minutes, and time to set up. */
export function jobMinutes(timeoutMs: number): number {
  return Math.ceil(timeoutMs / 60_000) + SETUP_MINUTES;
}

/**
 * `Flotilla <task> a<attempt>.<dispatch>`: the template's `run-name`, how a run is found without its id. A
 * judge run's has its label instead of a number (`a2.j51-1`), so it is never taken for the task's own run.
 */
export function runTitle(task: Pick<Task, "id" | "attempt">, dispatch: number | string): string {
  return `Flotilla ${task.id} a${task.attempt}.${dispatch}`;
}

export function parseRunTitle(
  title: string,
): { taskId: string; attempt: number; dispatch: number } | undefined {
  const match = /^Flotilla ([\w.-]+) a(\d+)\.(\d+)$/.exec(title);
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  return { taskId: match[1], attempt: Number(match[2]), dispatch: Number(match[3]) };
}

/** What an input may look like: an id, a number, a ref, a timestamp or a hex digest. */
const ID_SHAPE = /^[\w.:/+-]{1,256}$/;
/** Credentials by their shape: GitHub tokens, JWTs, provider keys, PEM keys. */
const TOKEN_SHAPES = [
  /\b(gh[pousr]_|github_pat_)[A-Za-z0-9_]{10,}/,
  /\beyJ[\w-]{8,}\.[\w-]{8,}\./,
  /\bsk-[\w-]{16,}/,
  /\bAIza[\w-]{20,}/,
  /-----BEGIN/,
];

/**
 * Refuses to dispatch inputs that are not ids, or that look like a credential: a guard against a future
 * change that would put text or a token where GitHub shows it to everyone who can read the run.
 */
export function assertIdsOnly(inputs: Record<string, string | number>): void {
  for (const [name, value] of Object.entries(inputs)) {
    const text = String(value);
    if (!ID_SHAPE.test(text) || TOKEN_SHAPES.some((shape) => shape.test(text))) {
      throw new Error(`refusing to dispatch: the workflow input ${name} is not an id`);
    }
  }
}
