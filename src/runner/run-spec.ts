import { resolve } from "node:path";
import type { ProgressEvent } from "./adapters/adapter.js";
import { git } from "./git.js";
import { runSession, type SessionResult } from "./run-session.js";
import type { TaskSpec } from "./task-spec.js";

export interface RunSpecOptions {
  /** Where the agent's secrets are read from; nothing else of it reaches the agent. */
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Where the session's private dir is made (outside the workspace). @defaultValue os.tmpdir() */
  tmpRoot?: string;
  onProgress?: (event: ProgressEvent) => void;
}

/**
 * Runs one task spec: what `flotilla-runner` does on a CI runner and what the local backend does in-process,
 * so both backends run agents the same way. Resolves the workspace (the current directory unless named) and
 * the base commit (its HEAD unless named), then runs the session.
 */
export async function runSpec(
  spec: TaskSpec,
  options: RunSpecOptions,
): Promise<SessionResult & { workspace: string }> {
  const workspace = resolve(spec.workspace ?? ".");
  const baseSha = spec.baseSha ?? (await git(workspace, ["rev-parse", "--verify", "HEAD^{commit}"])).trim();
  const result = await runSession({
    workspace,
    baseSha,
    agentName: spec.agentName,
    agent: spec.agent,
    repo: spec.repo,
    request: spec.request,
    protectedPaths: spec.protectedPaths,
    env: options.env,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.tmpRoot ? { tmpRoot: options.tmpRoot } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return { ...result, workspace };
}
