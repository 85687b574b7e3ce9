import { parse } from "yaml";

/** The id of the step the sandbox runs for real; the other steps are checkout, upload, or shown as done. */
export const RUNNER_STEP_ID = "runner";

/** One step of the job, its values still holding their `${{ }}` expressions. */
export interface StepSpec {
  id: string | null;
  /** `name:`; null when the step has none (GitHub then shows `Run <uses>` or `Run <first line>`). */
  name: string | null;
  uses: string | null;
  run: string | null;
  with: Record<string, unknown>;
  env: Record<string, unknown>;
  if: string | null;
  workingDirectory: string | null;
}

/** What the sandbox reads from a workflow file whose job has a step `id: runner`. */
export interface AgentWorkflow {
  /** `name:`, or the file's path (GITHUB_WORKFLOW). */
  name: string;
  /** Declared `workflow_dispatch` input types (`string`, `number`, `boolean`, `choice`…). */
  inputTypes: Record<string, string>;
  env: Record<string, unknown>;
  /** The job's `permissions:`, else the workflow's; undefined when neither says (GitHub's default). */
  permissions: unknown;
  job: {
    /** The key under `jobs:` (GITHUB_JOB). */
    id: string;
    /** `name:` or the id, as the run's job is named. */
    name: string;
    env: Record<string, unknown>;
    /** `timeout-minutes`, unevaluated; undefined means GitHub's 360. */
    timeoutMinutes: unknown;
    steps: StepSpec[];
  };
}

type Doc = Record<string, unknown>;

function record(value: unknown): Doc {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Doc) : {};
}

function text(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function stepOf(raw: unknown): StepSpec {
  const step = record(raw);
  return {
    id: text(step.id),
    name: text(step.name),
    uses: text(step.uses),
    run: text(step.run),
    with: record(step.with),
    env: record(step.env),
    if: typeof step.if === "boolean" ? String(step.if) : text(step.if),
    workingDirectory: text(step["working-directory"]),
  };
}

function inputTypesOf(doc: Doc): Record<string, string> {
  const inputs = record(record(record(doc.on).workflow_dispatch).inputs);
  return Object.fromEntries(
    Object.entries(inputs).map(([key, spec]) => [key, text(record(spec).type) ?? "string"]),
  );
}

/** The workflow's job that has the runner step, or null (not valid YAML, or no such job). */
export function agentWorkflowOf(path: string, source: string): AgentWorkflow | null {
  let doc: Doc;
  try {
    doc = record(parse(source));
  } catch {
    return null;
  }
  for (const [id, rawJob] of Object.entries(record(doc.jobs))) {
    const job = record(rawJob);
    const steps = (Array.isArray(job.steps) ? job.steps : []).map(stepOf);
    if (!steps.some((s) => s.id === RUNNER_STEP_ID)) continue;
    return {
      name: text(doc.name) ?? path,
      inputTypes: inputTypesOf(doc),
      env: record(doc.env),
      permissions: "permissions" in job ? job.permissions : doc.permissions,
      job: {
        id,
        name: text(job.name) ?? id,
        env: record(job.env),
        timeoutMinutes: job["timeout-minutes"],
        steps,
      },
    };
  }
  return null;
}

/** The name GitHub shows for a step that has no `name:`. */
export function defaultStepName(step: StepSpec): string {
  if (step.uses) return `Run ${step.uses}`;
  return `Run ${(step.run ?? "").trim().split("\n")[0] ?? ""}`;
}
