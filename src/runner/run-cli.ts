import { writeResultBundle } from "./result-bundle.js";
import { runSpec } from "./run-spec.js";
import { parseTaskSpec, TaskSpecError } from "./task-spec.js";

interface Writable {
  write(text: string): unknown;
}

/**
 * The runner command's work, apart from its argument parsing: parse the spec (2 when it is bad, naming the
 * field), run it, write the bundle (0 whatever the agent did: the outcome is in result.json), or say why the
 * run could not happen (1). A stop signal (the CI job cancelled) stops the agent, and the result still says so.
 */
export async function runCli(
  taskText: string,
  outDir: string,
  env: NodeJS.ProcessEnv,
  log: Writable,
): Promise<number> {
  let spec: ReturnType<typeof parseTaskSpec>;
  try {
    spec = parseTaskSpec(taskText);
  } catch (error) {
    if (!(error instanceof TaskSpecError)) throw error;
    log.write(`flotilla-runner: ${error.message}\n`);
    return 2;
  }
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
    const bundle = await writeResultBundle(outDir, spec.agentName, result);
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
