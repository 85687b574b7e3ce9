import { execa } from "execa";
import { LineSplitter } from "./line-splitter.js";
import { DEFAULT_OUTPUT_LIMIT_BYTES, OutputTail } from "./output-tail.js";
import { groupEnded, signalGroup } from "./process-group.js";

/** How long the agent's process group has between SIGTERM and SIGKILL. @defaultValue 5 seconds */
export const DEFAULT_KILL_GRACE_MS = 5_000;

export interface AgentProcessSpec {
  /** The program and its arguments; run directly, never through a shell. */
  argv: string[];
  /** The working directory (the workspace). */
  cwd: string;
  /** The agent's complete environment: nothing of the worker's is added (see agentEnvironment). */
  env: Record<string, string>;
  /** Wall-clock limit; the whole process group is killed after it. */
  timeoutMs: number;
  /** Output kept (stdout and stderr together), from the end. @defaultValue {@link DEFAULT_OUTPUT_LIMIT_BYTES} */
  outputLimitBytes?: number;
  /** Aborting it stops the agent as a timeout does, but reports `cancelled`. */
  signal?: AbortSignal;
  /** Between SIGTERM and SIGKILL. @defaultValue {@link DEFAULT_KILL_GRACE_MS} */
  killGraceMs?: number;
  /** Most output (stdout and stderr) the program may print; past it the group is stopped (`outputExceeded`). */
  maxOutputBytes?: number;
  /** A file fed to the program's stdin; stdin is empty (ignored) otherwise. */
  stdinFile?: string;
  /** Each line of output as it arrives, by stream, for adapters that read the agent's events. */
  onLine?: (stream: "stdout" | "stderr", line: string) => void;
}

export interface AgentProcessResult {
  /** Why the program could not be started (`ENOENT`: not installed, or no such working directory). */
  startError?: string;
  /** The program's exit code; null when it was killed by a signal or never started. */
  exitCode: number | null;
  /** The signal that ended the program (`SIGTERM`, `SIGKILL`), or null. */
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  /** It printed more than `maxOutputBytes` and was stopped for it. */
  outputExceeded: boolean;
  durationMs: number;
  /**
   * stdout and stderr interleaved as they arrived (two pipes: each stream's order is exact, but writes to
   * both within a moment may swap); the tail only when it was longer than the limit.
   */
  output: string;
  outputTruncated: boolean;
}

/**
 * Runs one agent process to its end and always resolves with what happened: exit code or signal, whether it
 * timed out or was cancelled, and its output (a program that cannot start is a result too, not a throw).
 * The process leads its own process group (`detached`), so a timeout, a cancellation or the end of the main
 * process also ends everything it started. A descendant that calls setsid() escapes the group: its output is
 * cut off `killGraceMs` after the main process ends, but it is not killed.
 */
export async function runAgentProcess(spec: AgentProcessSpec): Promise<AgentProcessResult> {
  const [program, ...args] = spec.argv;
  if (!program) throw new TypeError("runAgentProcess needs argv with a program to run");
  const grace = spec.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const tail = new OutputTail(spec.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES);
  const started = performance.now();
  const outcome = { timedOut: false, cancelled: false, outputExceeded: false };
  if (spec.signal?.aborted) {
    return {
      ...outcome,
      cancelled: true,
      exitCode: null,
      signal: null,
      durationMs: 0,
      output: "",
      outputTruncated: false,
    };
  }

  const subprocess = execa(program, args, {
    cwd: spec.cwd,
    env: spec.env,
    extendEnv: false,
    detached: true,
    stdin: spec.stdinFile ? { file: spec.stdinFile } : "ignore",
    all: true,
    // Streamed into the tail instead of execa's unbounded buffers.
    buffer: false,
    reject: false,
  });
  const pgid = subprocess.pid;
  const timers: NodeJS.Timeout[] = [];
  let stopping = false;
  let printed = 0;
  subprocess.all?.on("data", (chunk: Buffer | string) => {
    const bytes = Buffer.from(chunk);
    tail.push(bytes);
    printed += bytes.length;
    if (spec.maxOutputBytes !== undefined && printed > spec.maxOutputBytes && !outcome.outputExceeded) {
      outcome.outputExceeded = true;
      stop();
    }
  });
  const splitters = spec.onLine
    ? (["stdout", "stderr"] as const).map((stream) => {
        const splitter = new LineSplitter((line) => spec.onLine?.(stream, line));
        subprocess[stream]?.on("data", (chunk: Buffer | string) => splitter.push(Buffer.from(chunk)));
        return splitter;
      })
    : [];

  function stop() {
    if (stopping) return;
    stopping = true;
    signalGroup(pgid, "SIGTERM");
    timers.push(setTimeout(() => signalGroup(pgid, "SIGKILL"), grace));
  }
  const deadline = setTimeout(() => {
    outcome.timedOut = true;
    stop();
  }, spec.timeoutMs);
  const onAbort = () => {
    outcome.cancelled = true;
    stop();
  };
  spec.signal?.addEventListener("abort", onAbort, { once: true });
  subprocess.once("exit", () => {
    // Only the main process counts: cleaning up after it is neither a timeout nor a cancellation.
    clearTimeout(deadline);
    spec.signal?.removeEventListener("abort", onAbort);
    // What the agent left running in the background ends with it. A descendant that left the group but
    // still holds the output pipe would keep it open for ever: stop reading after the grace period.
    stop();
    timers.push(
      setTimeout(() => {
        subprocess.stdout?.destroy();
        subprocess.stderr?.destroy();
      }, grace + 1_000),
    );
  });

  try {
    const result = await subprocess;
    // Nothing may still write to the workspace once this returns: the changeset is computed next.
    if (!(await groupEnded(pgid, grace + 1_000))) {
      signalGroup(pgid, "SIGKILL");
      await groupEnded(pgid, 1_000);
    }
    for (const splitter of splitters) splitter.end();
    let output = tail.text();
    if (pgid === undefined) {
      // Node reports a missing working directory as ENOENT for the program too, so both are named.
      const why = result.code ?? result.shortMessage;
      output += `${output === "" || output.endsWith("\n") ? "" : "\n"}[flotilla: could not start ${JSON.stringify(program)} in ${spec.cwd}: ${why}]\n`;
    }
    return {
      ...outcome,
      ...(pgid === undefined
        ? { startError: `could not start ${JSON.stringify(program)}: ${result.code ?? result.shortMessage}` }
        : {}),
      exitCode: result.exitCode ?? null,
      signal: result.signal ?? null,
      durationMs: performance.now() - started,
      output,
      outputTruncated: tail.truncated,
    };
  } finally {
    clearTimeout(deadline);
    for (const timer of timers) clearTimeout(timer);
    spec.signal?.removeEventListener("abort", onAbort);
  }
}
