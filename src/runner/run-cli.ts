import { readGitHubTask } from "./github/github-task.js";
import { RunnerRefusal } from "./github/runner-refusal.js";
import { writeRefusedBundle, writeResultBundle } from "./result-bundle.js";
import { runSpec } from "./run-spec.js";
import { parseTaskSpec, type TaskSpec, TaskSpecError } from "./task-spec.js";

interface Writable {
  write(text: string): unknown;
}

/**
 * `flotilla-runner --task task.json --out DIR`: parse the spec (2 when it is bad, naming the field), run it,
 * write the bundle (0 whatever the agent did: the outcome is in result.json), or say why the run could not
 * happen (1).
 */
export async function runTaskFile(
  taskText: string,
  outDir: string,
  env: NodeJS.ProcessEnv,
  log: Writable,
): Promise<number> {
  let spec: TaskSpec;
  try {
    spec = parseTaskSpec(taskText);
  } catch (error) {
    if (!(error instanceof TaskSpecError)) throw error;
    log.write(`flotilla-runner: ${error.message}\n`);
    return 2;
  }
  return runAndBundle(spec, outDir, env, log);
}

/**
 * `flotilla-runner github --out DIR`, in the agent workflow: the spec is built from the job's inputs, the
 * repository's config and the issue. When the runner will not start the agent (the issue was edited since
 * the label, the config names no such agent), result.json says why, for the App to show on the issue, and
 * the exit is 0 so the workflow uploads it.
 */
export async function runGitHubJob(
  workspace: string,
  outDir: string,
  env: NodeJS.ProcessEnv,
  log: Writable,
): Promise<number> {
  let spec: TaskSpec;
  try {
    spec = await readGitHubTask(env, { workspace });
  } catch (error) {
    if (!(error instanceof RunnerRefusal)) {
      log.write(`flotilla-runner: could not read the task: ${(error as Error).message}\n`);
      return 1;
    }
    log.write(`flotilla-runner: the agent was not started: ${error.message}\n`);
    await writeRefusedBundle(outDir, env.FLOTILLA_AGENT ?? "", error.message);
    return 0;
  }
  // The judge reviews: whatever it changed is not handed back (the App would discard it too).
  return runAndBundle(spec, outDir, env, log, env.FLOTILLA_ROLE === "judge");
}

/** Runs the spec and writes the bundle; a stop signal (the CI job cancelled) stops the agent, and the result says so. */
async function runAndBundle(
  spec: TaskSpec,
  outDir: string,
  env: NodeJS.ProcessEnv,
  log: Writable,
  dropChanges = false,
): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  try {
    const result = await runSpec(spec, {
      env,
      signal: stop.signal,
      onProgress: (event) => log.write(`${event.kind === "text" ? "" : `[${event.kind}] `}${event.text}\n`),
    });
    const kept = dropChanges ? { ...result, changeset: { ...result.changeset, files: [] } } : result;
    const bundle = await writeResultBundle(outDir, spec.agentName, kept);
    log.write(
      `flotilla-runner: ${bundle.outcome.kind}; ${bundle.changeset.files.length} changed files; result in ${outDir}/result.json\n`,
    );
    return 0;
  } catch (error) {
    log.write(`flotilla-runner: the run could not happen: ${(error as Error).message}\n`);
    return 1;
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  }
}
