import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runGit } from "../git/run-git.js";
import type { Repo } from "../state/model.js";

/** How much of the output the check run keeps: its `text` holds at most 65535 characters. */
const TAIL_CHARS = 60_000;

export interface CommandResult {
  exitCode: number | null;
  timedOut: boolean;
  /** The last part of stdout and stderr, interleaved as they came. */
  tail: string;
}

/**
 * Runs a command (argument array, no shell) in a fresh checkout of `sha`: a detached worktree of the bare
 * repository in a temp folder, removed afterwards. The command sees only `env` plus PATH and a few CI
 * variables, and its whole process group is killed at the timeout.
 */
export async function runInCheckout(
  repo: Repo,
  sha: string,
  command: string[],
  options: { timeoutMs: number; env: Record<string, string> },
): Promise<CommandResult> {
  const [file, ...args] = command;
  if (!file) throw new Error("sandbox: the CI command is empty");
  const root = await mkdtemp(join(tmpdir(), "sandbox-ci-"));
  const dir = join(root, "checkout");
  try {
    await runGit(repo.gitDir, ["worktree", "add", "--detach", "--force", dir, sha]);
    return await spawnWithTimeout(file, args, dir, options);
  } finally {
    await runGit(repo.gitDir, ["worktree", "remove", "--force", dir], { okExitCodes: [128] }).catch(
      () => undefined,
    );
    await rm(root, { recursive: true, force: true });
    await runGit(repo.gitDir, ["worktree", "prune"]).catch(() => undefined);
  }
}

function spawnWithTimeout(
  file: string,
  args: string[],
  cwd: string,
  options: { timeoutMs: number; env: Record<string, string> },
): Promise<CommandResult> {
  return new Promise((resolve) => {
    let tail = "";
    let timedOut = false;
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
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString("utf8")).slice(-TAIL_CHARS);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ exitCode: null, timedOut, tail: `${tail}\n${error.message}` });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code, timedOut, tail });
    });
  });
}
