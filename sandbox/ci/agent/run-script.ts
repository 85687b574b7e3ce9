import { redactor } from "../ci-actor.js";
import { spawnInGroup } from "../run-command.js";
import type { AgentRunRecord } from "./records.js";

/** How much of the runner step's output a record keeps. */
const OUTPUT_TAIL_CHARS = 20_000;
/** A lost runner goes at the step's first output, or this long after it started if it prints nothing. */
const LOST_AT_THE_LATEST_MS = 2_000;

export interface ScriptRun {
  script: string;
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** Aborted on cancel (the API) or when the sandbox stops. */
  signal: AbortSignal;
  /** Values masked as `***` in the output kept: the secrets and the job token. */
  masked: string[];
  /** The `runner-lost` fault: the runner goes away while the step runs. */
  loseRunner: boolean;
  record: AgentRunRecord;
}

export type ScriptOutcome = "succeeded" | "failed" | "timed_out" | "cancelled" | "lost";

/**
 * Runs a `run:` script as the runner does for `shell: bash`: `bash --noprofile --norc -eo pipefail -c`, in
 * its own process group, killed whole at the timeout, on cancel, or when the runner is "lost". The exit
 * code, the pid and the (masked) end of the output go to the record.
 */
export async function runScript(run: ScriptRun): Promise<ScriptOutcome> {
  const lost = new AbortController();
  let lostTimer: NodeJS.Timeout | undefined;
  const loseNow = () => lost.abort(new Error("the runner lost communication with the server"));
  const result = await spawnInGroup(
    "bash",
    ["--noprofile", "--norc", "-eo", "pipefail", "-c", run.script],
    run.cwd,
    {
      // setTimeout fires at once past 2^31-1 ms; a limit that long is no limit anyway.
      timeoutMs: Math.min(Math.max(run.timeoutMs, 1), 2 ** 31 - 1),
      env: run.env,
      signal: AbortSignal.any([run.signal, lost.signal]),
      onStart: (pid) => {
        run.record.pid = pid;
        if (run.loseRunner) lostTimer = setTimeout(loseNow, LOST_AT_THE_LATEST_MS);
      },
      onOutput: () => {
        if (run.loseRunner) loseNow();
      },
    },
  );
  clearTimeout(lostTimer);
  const mask = redactor(Object.fromEntries(run.masked.map((value, i) => [String(i), value])));
  run.record.output = mask(result.tail).slice(-OUTPUT_TAIL_CHARS);
  run.record.exitCode = result.exitCode;
  if (run.signal.aborted) return "cancelled";
  // Even a step that ended before the runner went: the runner never reported how.
  if (run.loseRunner) return "lost";
  if (result.timedOut) return "timed_out";
  return result.exitCode === 0 ? "succeeded" : "failed";
}
