import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runGit } from "../git/run-git.js";
import type { Repo } from "../state/model.js";

/** How much of the output the check run keeps: its `text` holds at most 65535 characters. */
const TAIL_CHARS = 60_000;

export interface RunOptions {
  timeoutMs: number;
  env: Record<string, string>;
  /** Aborting it kills the command's process group. */
  signal?: AbortSignal;
  /** Called with the command's pid once it has started. */
  onStart?: (pid: number) => void;
  /** Called for each piece of output (stdout or stderr) as it comes. */
  onOutput?: (chunk: Buffer) => void;
}

export interface CommandResult {
  exitCode: number | null;
  timedOut: boolean;
  /** Killed because `signal` was aborted (or it was aborted before the command started). */
  cancelled: boolean;
  /** The last part of stdout and stderr, interleaved as they came. */
  tail: string;
}

/**
 * Runs a command (argument array, no shell) in a fresh checkout of `sha`: a detached worktree of the bare
 * repository in a temp folder, removed afterwards. The command sees only `env` plus PATH and a few CI
 * variables, and its whole process group is killed at the timeout or when `signal` is aborted.
 */
export async function runInCheckout(
  repo: Repo,
  sha: string,
  command: string[],
  options: RunOptions,
): Promise<CommandResult> {
  const [file, ...args] = command;
  if (!file) throw new Error("sandbox: the CI command is empty");
  const root = await mkdtemp(join(tmpdir(), "sandbox-ci-"));
  const dir = join(root, "checkout");
  try {
    await runGit(repo.gitDir, ["worktree", "add", "--detach", "--force", dir, sha]);
    if (options.signal?.aborted) return { exitCode: null, timedOut: false, cancelled: true, tail: "" };
    return await spawnInGroup(file, args, dir, options);
  } finally {
    await runGit(repo.gitDir, ["worktree", "remove", "--force", dir], { okExitCodes: [128] }).catch(
      () => undefined,
    );
    await rm(root, { recursive: true, force: true });
    await runGit(repo.gitDir, ["worktree", "prune"]).catch(() => undefined);
  }
}

/**
 * Runs a command in its own process group, which is killed (SIGKILL) at the timeout or when `signal` is
 * aborted. Its environment is PATH, HOME (= cwd), LANG and CI, then `options.env`, which may replace them.
 */
export function spawnInGroup(
  file: string,
  args: string[],
  cwd: string,
  options: RunOptions,
): Promise<CommandResult> {
  return new Promise((resolve) => {
    let tail = "";
    let timedOut = false;
    let cancelled = false;
    const child = spawn(file, args, {
      cwd,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: cwd,
        LANG: "C.UTF-8",
        CI: "true",
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so the timeout kills what the command started too.
      detached: true,
    });
    const { pid } = child;
    if (pid) options.onStart?.(pid);
    const killGroup = () => {
      if (!pid) return;
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const onAbort = () => {
      cancelled = true;
      killGroup();
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });
    const keep = (chunk: Buffer) => {
      options.onOutput?.(chunk);
      tail = (tail + chunk.toString("utf8")).slice(-TAIL_CHARS);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    const done = (result: Pick<CommandResult, "exitCode" | "tail">) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      resolve({ ...result, timedOut, cancelled });
    };
    child.on("error", (error) => done({ exitCode: null, tail: `${tail}\n${error.message}` }));
    child.on("close", (code) => done({ exitCode: code, tail }));
  });
}
