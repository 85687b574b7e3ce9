import type { StepSpec } from "./definition.js";
import { type Context, resolveText, type Value } from "./expressions.js";

/** Everything about the job that its contexts and environment variables are made from. */
export interface JobFacts {
  baseUrl: string;
  /** `owner/name` */
  repository: string;
  repositoryId: number;
  owner: string;
  runId: number;
  runNumber: number;
  runAttempt: number;
  workflow: string;
  jobId: string;
  branch: string;
  sha: string;
  actor: string;
  workspace: string;
  runnerTemp: string;
  home: string;
  token: string;
  /** The dispatch inputs as given (strings, or defaults from the file). */
  inputs: Record<string, unknown>;
  inputTypes: Record<string, string>;
  secrets: Record<string, string>;
}

/** `inputs` holds numbers and booleans for inputs of those types; `github.event.inputs` holds text. */
function typedInputs(facts: JobFacts): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [key, raw] of Object.entries(facts.inputs)) {
    const type = facts.inputTypes[key];
    const asText = String(raw ?? "");
    if (type === "boolean") out[key] = raw === true || asText === "true";
    else if (type === "number" && asText.trim() !== "" && !Number.isNaN(Number(asText)))
      out[key] = Number(asText);
    else out[key] = asText;
  }
  return out;
}

/** The expression contexts of the job; `env` is filled in level by level. */
export function jobContext(facts: JobFacts): Context {
  const eventInputs = Object.fromEntries(Object.entries(facts.inputs).map(([k, v]) => [k, String(v ?? "")]));
  return {
    github: {
      token: facts.token,
      repository: facts.repository,
      repository_id: String(facts.repositoryId),
      repository_owner: facts.owner,
      run_id: String(facts.runId),
      run_number: String(facts.runNumber),
      run_attempt: String(facts.runAttempt),
      workflow: facts.workflow,
      job: facts.jobId,
      event_name: "workflow_dispatch",
      event: { inputs: eventInputs },
      ref: `refs/heads/${facts.branch}`,
      ref_name: facts.branch,
      ref_type: "branch",
      sha: facts.sha,
      actor: facts.actor,
      triggering_actor: facts.actor,
      server_url: facts.baseUrl,
      api_url: facts.baseUrl,
      workspace: facts.workspace,
    },
    inputs: typedInputs(facts),
    // GitHub offers the job's token as a secret too.
    secrets: { ...facts.secrets, GITHUB_TOKEN: facts.token },
    runner: { os: "Linux", arch: "X64", temp: facts.runnerTemp },
    env: {},
    vars: {},
    job: { status: "success" },
    steps: {},
  };
}

/** The variables every step gets from the runner (not GITHUB_TOKEN: a step's `env:` must ask for it). */
function runnerVariables(facts: JobFacts, path: string): Record<string, string> {
  return {
    PATH: path,
    HOME: facts.home,
    LANG: "C.UTF-8",
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_REPOSITORY: facts.repository,
    GITHUB_REPOSITORY_ID: String(facts.repositoryId),
    GITHUB_REPOSITORY_OWNER: facts.owner,
    GITHUB_API_URL: facts.baseUrl,
    GITHUB_SERVER_URL: facts.baseUrl,
    GITHUB_RUN_ID: String(facts.runId),
    GITHUB_RUN_NUMBER: String(facts.runNumber),
    GITHUB_RUN_ATTEMPT: String(facts.runAttempt),
    GITHUB_WORKFLOW: facts.workflow,
    GITHUB_JOB: facts.jobId,
    GITHUB_EVENT_NAME: "workflow_dispatch",
    GITHUB_REF: `refs/heads/${facts.branch}`,
    GITHUB_REF_NAME: facts.branch,
    GITHUB_SHA: facts.sha,
    GITHUB_ACTOR: facts.actor,
    GITHUB_WORKSPACE: facts.workspace,
    RUNNER_TEMP: facts.runnerTemp,
    RUNNER_OS: "Linux",
  };
}

/** The `env:` levels in the order GitHub applies them; a later one wins. */
export interface EnvLevels {
  workflow: Record<string, unknown>;
  job: Record<string, unknown>;
  /** Extra variables a test gives (runAgentWorkflows' `env`), before the step's own. */
  extra: Record<string, string>;
  step: Record<string, unknown>;
}

/**
 * A step's whole environment: the runner's variables, then the workflow's, the job's, the extra and the
 * step's `env:`, each resolved with the `env` context as it stands at that level. Nothing of the sandbox
 * process's own environment is in it except PATH (after `pathDirs`).
 */
export function stepEnvironment(
  facts: JobFacts,
  context: Context,
  levels: EnvLevels,
  pathDirs: string[],
): { env: Record<string, string>; context: Context } {
  const path = [...pathDirs, process.env.PATH ?? "/usr/bin:/bin"].join(":");
  const env = runnerVariables(facts, path);
  const envContext: Record<string, Value> = {};
  const apply = (values: Record<string, unknown>) => {
    const scope = { ...context, env: { ...envContext } };
    for (const [key, raw] of Object.entries(values)) {
      const value = resolveText(raw, scope);
      env[key] = value;
      envContext[key] = value;
    }
  };
  apply(levels.workflow);
  apply(levels.job);
  apply(levels.extra);
  apply(levels.step);
  return { env, context: { ...context, env: envContext } };
}

/** The step's `with:` inputs, resolved (the upload's name and path). */
export function stepInputs(step: StepSpec, context: Context): Record<string, string> {
  return Object.fromEntries(Object.entries(step.with).map(([k, v]) => [k, resolveText(v, context)]));
}
