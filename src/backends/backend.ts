import type { RemoteRun, Task, TaskState } from "../fleet/task.js";
import type { GitHub } from "../github/octokit.js";
import type { Changeset, FileChange } from "../runner/changeset.js";
import type { SessionResult } from "../runner/run-session.js";
import type { StoredRequest, TaskSpec } from "../runner/task-spec.js";
import type { JudgeDispatch } from "./actions/workflow-inputs.js";

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
  /** `judge`: the agent reviews (`request.judge`) and whatever it changes is discarded. @defaultValue "code" */
  role?: RunRole;
  /** Where the agent starts: a commit of this branch (the pull request's head). @defaultValue the default branch's head */
  checkout?: { branch: string; sha: string };
}

/** What a run is for: the coding agent's work (a first run or an iteration), or the judge's review. */
export type RunRole = "code" | "judge";

/** Runs the agent on the worker host and returns when it is done (`local`). */
export interface InlineBackend {
  readonly name: "local";
  readonly kind: "inline";
  run(request: RunRequest): Promise<AgentRun>;
}

/** What a remote run came to, once GitHub says it completed. */
export type Collected =
  /** The runner's result, checked: published like a local run's. */
  | { kind: "result"; run: AgentRun }
  /** Lost to the infrastructure (never started, runner lost): worth another dispatch. */
  | { kind: "lost"; reason: string }
  /** Ended without a result to publish, with the words for the person who asked. */
  | { kind: "ended"; state: Extract<TaskState, "failed" | "cancelled" | "timed-out">; message: string }
  /** Not completed yet. */
  | { kind: "pending" };

/**
 * Starts the agent elsewhere (`actions`: a GitHub Actions job) and returns at once; webhooks and the
 * watchdog follow the run, and its result is collected when it completes. No worker waits meanwhile.
 */
export interface RemoteBackend {
  readonly name: "actions";
  readonly kind: "remote";
  start(gh: GitHub, task: Task, dispatch: number): Promise<Pick<RemoteRun, "id" | "url">>;
  /** The run of the task's current dispatch, when its id is not known yet. */
  find(gh: GitHub, task: Task, run: RemoteRun): Promise<Pick<RemoteRun, "id" | "url"> | undefined>;
  /** Where the run is: queued, in progress or completed, and since when it runs. */
  status(gh: GitHub, task: Task, runId: number): Promise<{ status: string; startedAt?: string }>;
  /** What a completed run came to: the task's agent's (`code`), or its judge's. */
  collect(gh: GitHub, task: Task, runId: number, role?: RunRole): Promise<Collected>;
  /** Keeps a request the runner cannot rebuild from the issue (an iteration's, the judge's); returns its id. */
  storeRequest(gh: GitHub, task: Task, request: StoredRequest): Promise<string>;
  /** Starts the judge on one head, for one round of one review; returns at once, like `start`. */
  startJudge(gh: GitHub, task: Task, judge: JudgeDispatch): Promise<Pick<RemoteRun, "id" | "url">>;
  /** A judge run whose id the dispatch did not return, by its label. */
  findJudge(
    gh: GitHub,
    task: Task,
    label: string,
    dispatchedAt: string,
  ): Promise<Pick<RemoteRun, "id" | "url"> | undefined>;
  cancel(gh: GitHub, task: Task, runId: number): Promise<void>;
}

/** Where an agent runs; both kinds publish through the same code. */
export type Backend = InlineBackend | RemoteBackend;
