import type { Task } from "../fleet/task.js";
import type { AgentProcessResult } from "../runner/agent-process.js";
import type { Changeset, FileChange } from "../runner/changeset.js";

/** What a finished agent run hands to publishing, whichever backend ran it. */
export interface AgentRun {
  /** Exit code, timing and output (already redacted). */
  process: AgentProcessResult;
  /** Every change the agent left, against `changeset.baseSha`. */
  changeset: Changeset;
  /** The new content of one change. */
  read(change: FileChange): Promise<Buffer>;
  /** Frees what the run holds (a worktree); never throws. */
  dispose(): Promise<void>;
}

export interface RunRequest {
  task: Task;
  /** The issue as GitHub has it now; untrusted text, sanitized by the runner. */
  issue: { title: string; body: string };
  /** Installation token to fetch the repository; read access is all a backend may use it for. */
  token: string;
  signal?: AbortSignal;
}

/**
 * Where an agent runs. `local` runs it in a worktree on the worker host and returns when it is done; the
 * GitHub Actions backend (its own issue) plugs in here too.
 */
export interface Backend {
  readonly name: "local" | "actions";
  run(request: RunRequest): Promise<AgentRun>;
}
