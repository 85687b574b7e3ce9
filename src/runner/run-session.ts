import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative } from "node:path";
import type { AgentConfig } from "../app/config/schema.js";
import { agentInvocation } from "./adapters/index.js";
import { agentEnvironment } from "./agent-env.js";
import { type AgentProcessResult, runAgentProcess } from "./agent-process.js";
import { type Changeset, computeChangeset } from "./changeset.js";
import { buildPrompt } from "./prompt.js";
import { createRedactor } from "./redact.js";

export interface SessionSpec {
  /** The worktree the agent works in (see Workspaces). */
  workspace: string;
  /** The commit the workspace started from; the changeset is everything since. */
  baseSha: string;
  agentName: string;
  agent: AgentConfig;
  /** `owner/name`. */
  repo: string;
  issue: { number: number; title: string; body: string };
  /** Where the agent's secrets are read from (the worker's environment); nothing else of it is passed on. */
  env: NodeJS.ProcessEnv;
  /** Aborting it stops the agent (the session still returns, with `process.cancelled`). */
  signal?: AbortSignal;
  /** Output kept from the end. @defaultValue 1 MiB */
  outputLimitBytes?: number;
  /** Glob patterns the agent may not change, named in the prompt. */
  protectedPaths?: string[];
  /** Where the session's private dir (prompt, HOME, TMPDIR) is made; outside the workspace. @defaultValue os.tmpdir() */
  tmpRoot?: string;
}

export interface SessionResult {
  /** What the agent process did; its output is already redacted. */
  process: AgentProcessResult;
  /** What the agent left in the workspace, committed or not, against baseSha. */
  changeset: Changeset;
  durationMs: number;
}

/** A private dir (0700) for the prompt, HOME and TMPDIR, outside the worktree so none of it is published. */
async function makePrivateDir(workspace: string, tmpRoot: string): Promise<string> {
  const dir = await mkdtemp(join(tmpRoot, "flotilla-session-"));
  const inside = relative(await realpath(workspace), await realpath(dir));
  if (inside === "" || (!inside.startsWith("..") && !isAbsolute(inside))) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(
      `the session's temp dir ${dir} is inside the workspace: choose a tmpRoot (TMPDIR) outside it`,
    );
  }
  await mkdir(join(dir, "home"));
  await mkdir(join(dir, "tmp"));
  return dir;
}

/**
 * One agent session: the agent runs on the issue in the workspace, and what it left there is collected.
 * The exit code is reported, not judged: the caller decides what a failed or timed-out run means, and the
 * changeset is computed either way (also when the program could not start).
 *
 * @throws MissingSecretError, AdapterUnavailableError before anything runs, when the agent cannot be run.
 */
export async function runSession(spec: SessionSpec): Promise<SessionResult> {
  const started = performance.now();
  // 1. A private dir outside the worktree, removed whatever happens.
  const dir = await makePrivateDir(spec.workspace, spec.tmpRoot ?? tmpdir());
  try {
    // 2. The prompt, from the sanitized issue.
    const promptFile = join(dir, "prompt.md");
    const prompt = buildPrompt({ repo: spec.repo, issue: spec.issue, protectedPaths: spec.protectedPaths });
    await writeFile(promptFile, prompt, { mode: 0o600 });
    // 3. The command line, from the agent's adapter.
    const argv = agentInvocation(spec.agentName, spec.agent, { promptFile, workspace: spec.workspace });
    // 4. The environment: an allowlist and the agent's own secrets, with a fresh HOME and TMPDIR.
    const env = agentEnvironment(spec.agent.secrets, spec.env, {
      HOME: join(dir, "home"),
      TMPDIR: join(dir, "tmp"),
    });
    // 5. The agent itself, bounded by its timeout and the caller's signal.
    const result = await runAgentProcess({
      argv,
      cwd: spec.workspace,
      env,
      timeoutMs: spec.agent.timeout,
      outputLimitBytes: spec.outputLimitBytes,
      signal: spec.signal,
    });
    // 6. Its output without the secrets it was given or any token it came across.
    const redact = createRedactor(spec.agent.secrets.map((name) => env[name] ?? ""));
    const agentProcess = { ...result, output: redact(result.output) };
    // 7. What it changed, committed or not.
    const changeset = await computeChangeset(spec.workspace, spec.baseSha);
    return { process: agentProcess, changeset, durationMs: performance.now() - started };
  } finally {
    // 8. The prompt, HOME and TMPDIR go; the worktree is the caller's. A dir the agent made undeletable
    // (chmod 0500) must not cost the session its result: it stays behind in the temp dir.
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}
