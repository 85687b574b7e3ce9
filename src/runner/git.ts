import { execa } from "execa";

/** How long one git call may run before it is killed. @defaultValue 60 seconds */
export const DEFAULT_GIT_TIMEOUT_MS = 60_000;

export type GitOptions = {
  /** Kill git after this many milliseconds. @defaultValue {@link DEFAULT_GIT_TIMEOUT_MS} */
  timeoutMs?: number;
  /** Extra environment on top of the allowlist (e.g. GIT_INDEX_FILE). */
  env?: Record<string, string>;
  /** Written to git's stdin. */
  input?: string;
};

/** A git call that failed, with what an operator needs to see why. */
export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | undefined,
    readonly stderr: string,
    readonly timedOut: boolean,
  ) {
    const why = timedOut ? "timed out" : `exited with ${exitCode ?? "a signal"}`;
    super(`git ${args[0] ?? ""} ${why}: ${stderr.trim().slice(0, 500)}`);
    this.name = "GitError";
  }
}

// The worktree belongs to the agent, so its .git/config is untrusted: these overrides stop settings the
// agent could have written from running programs (fsmonitor, hooks) or hiding changes (fileMode=false).
const SAFE_CONFIG = [
  "-c",
  "core.fsmonitor=false",
  "-c",
  "core.hooksPath=/dev/null",
  "-c",
  "core.fileMode=true",
];

function allowlistedEnv(extra: Record<string, string> | undefined): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    // No HOME, system or global config: the result must not depend on the host's git setup.
    HOME: "/nonexistent",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    LANG: "C",
    LC_ALL: "C",
    ...extra,
  };
}

async function run(cwd: string, args: string[], options: GitOptions, encoding: "utf8" | "buffer") {
  const result = await execa("git", [...SAFE_CONFIG, ...args], {
    cwd,
    env: allowlistedEnv(options.env),
    extendEnv: false,
    input: options.input,
    stdin: options.input === undefined ? "ignore" : "pipe",
    timeout: options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS,
    forceKillAfterDelay: 2_000,
    stripFinalNewline: false,
    encoding,
    reject: false,
  });
  if (result.failed) {
    const stderr = typeof result.stderr === "string" ? result.stderr : Buffer.from(result.stderr).toString();
    throw new GitError(args, result.exitCode, stderr, result.timedOut);
  }
  return result.stdout;
}

/** Runs git in `cwd` and returns stdout as text, untrimmed (NUL-separated output must stay intact). */
export async function git(cwd: string, args: string[], options: GitOptions = {}): Promise<string> {
  return String(await run(cwd, args, options, "utf8"));
}

/** Runs git in `cwd` and returns stdout as raw bytes (file contents). */
export async function gitBytes(cwd: string, args: string[], options: GitOptions = {}): Promise<Buffer> {
  return Buffer.from(await run(cwd, args, options, "buffer"));
}
