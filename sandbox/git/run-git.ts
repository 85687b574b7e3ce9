import { spawn } from "node:child_process";

export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.join(" ")} failed (exit ${exitCode}): ${stderr.trim()}`);
    this.name = "GitError";
  }
}

export interface RunGitOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
  /** Exit codes that are answers, not failures (e.g. 1 from `cat-file -e` for a missing object). */
  okExitCodes?: number[];
}

/** The environment git runs with: nothing from the user's config or the calling process leaks in. */
const BASE_ENV: Record<string, string> = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: "/nonexistent",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_TERMINAL_PROMPT: "0",
  LANG: "C",
};

/** Runs git against a bare repository with an argument array; resolves with stdout as bytes. */
export function runGit(gitDir: string, args: string[], options: RunGitOptions = {}): Promise<Buffer> {
  return spawnGit([`--git-dir=${gitDir}`, ...args], args, options);
}

/** Runs git in a folder (a work tree, or where to `init` one), with the same clean environment. */
export function runGitIn(cwd: string, args: string[], options: RunGitOptions = {}): Promise<Buffer> {
  return spawnGit(args, args, { ...options, cwd });
}

/** `args` go to git; `shown` is what an error names (without the `--git-dir` every call has). */
function spawnGit(
  args: string[],
  shown: string[],
  options: RunGitOptions & { cwd?: string },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, {
      cwd: options.cwd,
      env: { ...BASE_ENV, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const stderr = Buffer.concat(err).toString("utf8");
      if (code === 0 || (code !== null && options.okExitCodes?.includes(code))) resolve(Buffer.concat(out));
      else reject(new GitError(shown, code, stderr));
    });
    child.stdin.on("error", () => {
      // git may exit before reading all of stdin (e.g. on a bad object); the exit code tells what happened.
    });
    child.stdin.end(options.input ?? "");
  });
}
