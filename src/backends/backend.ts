import type { Task } from "../fleet/task.js";
import type { Changeset, FileChange } from "../runner/changeset.js";
import type { SessionResult } from "../runner/run-session.js";
import type { TaskSpec } from "../runner/task-spec.js";

/** What a finished agent run hands to publishing, whichever backend ran it. */
export interface AgentRun {
  /** How it ended, what the agent said and spent, its redacted log. */
  outcome: SessionResult["outcome"];
  summary?: string;
  usage: SessionResult["usage"];
  log: string;
  timings: SessionResult["timings"];
  /** Every change the agent left, against `changeset.baseSha`. */
  changeset: Changeset;
  /** The new content of one change. */
  read(change: FileChange): Promise<Buffer>;
  /** Frees what the run holds (a worktree); never throws. */
  dispose(): Promise<void>;
}

export interface RunRequest {
  task: Task;
  /** What the agent is asked: the issue and the comments that may be heard; untrusted, sanitized by the runner. */
  request: TaskSpec["request"];
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
