import type { AgentConfig, RepoConfig } from "../app/config/schema.js";
import type { Verdict } from "../judge/verdict.js";
import type { LimitName, Usage } from "../runner/adapters/adapter.js";

/**
 * A task: one agent asked to work on one issue. Its id is derived from repository, issue and agent, so the
 * same request made twice (a redelivered webhook, the label added again) lands on the same task.
 */

/**
 * The states that hold one of the repository's slots. `dispatched` waits for a worker, or, on the actions
 * backend, for the workflow run to start; `collecting` reads a finished run's result.
 */
export const SLOT_STATES = ["dispatched", "running", "collecting", "publishing"] as const;
/** `queued` waits for a repository slot. */
export const ACTIVE_STATES = ["queued", ...SLOT_STATES] as const;
/** `checking` means the PR is open and the repository's CI (then the judge) takes over. */
export const SETTLED_STATES = [
  "checking",
  "judging",
  "ready",
  "changes-requested",
  /** A race's candidate: its branch is committed, no pull request; it waits for the race's ranking. */
  "candidate",
  "no-changes",
  /** Not started: the repository's monthly budget is spent; resumed when it allows (repo-budget.ts). */
  "waiting-budget",
  "failed",
  "cancelled",
  "timed-out",
] as const;
export const TASK_STATES = [...ACTIVE_STATES, ...SETTLED_STATES] as const;

export type TaskState = (typeof TASK_STATES)[number];

/** Why a task failed, in words for the person who asked, plus the kind that decides how it is shown. */
export interface TaskError {
  /** `refused`: the path policy or size limits; `agent`: the agent failed; `internal`: Flotilla or GitHub. */
  kind: "refused" | "agent" | "internal";
  message: string;
  /** The offending paths, for `refused`. */
  paths?: string[];
}

/** What the task runs with, taken from the repository config when it was asked for. Names, never secrets. */
export interface TaskSettings {
  backend: RepoConfig["backend"];
  agent: AgentConfig;
  protectedPaths: string[];
  /** `partialWork` is absent in records made before it (they get its default). */
  limits: Omit<RepoConfig["limits"], "partialWork"> & Partial<Pick<RepoConfig["limits"], "partialWork">>;
  prompt: RepoConfig["prompt"];
  /** For the actions backend (absent in records made before it). */
  actions?: RepoConfig["actions"];
  /** Who judges the pull request, and how (absent in records made before the judge, or when it is off). */
  judge?: JudgeSettings;
  /** How people steer the task from comments and reviews (absent in records made before commands). */
  commands?: RepoConfig["commands"];
  /** The repository's monthly budgets (absent in records made before budgets). */
  budget?: RepoConfig["budget"];
}

/** The judge, resolved when the task was asked for. */
export interface JudgeSettings {
  /** The agent's name under `agents`, and its settings. */
  name: string;
  agent: AgentConfig;
  /** The judge is the author's own agent: no other was configured. */
  sameAsAuthor: boolean;
  maxRounds: number;
  ciTimeoutMs: number;
}

/** Feedback an iteration works on: the judge's findings, failing checks, a person's words. */
export interface IterationFeedback {
  text: string;
  author?: string;
  /** A person's feedback: where it came from (`comment-<id>`, `review-<id>`), so it is taken once. */
  id?: string;
}

/**
 * An attempt that continues the pull request instead of starting over: the agent starts from the branch's
 * head and its commit is added on top.
 */
export interface Iteration {
  /** The head it starts from; the branch must still be there when the commit lands. */
  headSha: string;
  feedback: IterationFeedback[];
  /** Started by the fix loop (counts against `judge.maxRounds`), not by a person. */
  automatic: boolean;
}

/**
 * An attempt stopped at one of its agent's limits whose changes were kept (`limits.partialWork`): committed
 * on the task's branch, and for `draft-pr` opened as a draft pull request.
 */
export interface PartialRun {
  /** Which limit stopped the agent. */
  limit: LimitName;
  /** How the runner said it stopped the agent ("stopped after its 10-minute timeout"), redacted. */
  message: string;
  /** The branch's page on GitHub (`…/tree/<branch>`), once the commit is made. */
  branchUrl?: string;
}

/** The judge's work on one head of the pull request. */
export interface Review {
  sha: string;
  pr: number;
  /** waiting-ci: the check runs are up, CI is not done; judging: the judge agent runs; done: verdict posted. */
  stage: "waiting-ci" | "judging" | "done";
  judgeCheckId: number;
  gateCheckId: number;
  /** When the judge stops waiting for CI. */
  ciDeadline: string;
  /** The judge's decision, or why there is none. */
  decision?: "approve" | "request_changes" | "inconclusive";
  problem?: string;
  /** The judge's whole answer, kept before anything is posted, so a retried job posts this one, not another. */
  judgement?: { verdict?: Verdict; problem?: string };
  /** The gate as last reported, and its title (what is missing). */
  gate?: "success" | "failure";
  gateTitle?: string;
}

/** The GitHub Actions run doing an attempt's work, for the actions backend. */
export interface RemoteRun {
  /** 1 for the first dispatch of the attempt; a run lost to the infrastructure is dispatched again. */
  dispatch: number;
  dispatchedAt: string;
  /** Known from the dispatch's answer, or found afterwards by the run's name. */
  id?: number;
  /** The run's page, where its logs are. */
  url?: string;
  startedAt?: string;
  /** Why earlier dispatches of this attempt were given up (named in the message if the last one is too). */
  lost?: string[];
  /** An iteration's request, stored as a git blob when it was first dispatched (the same for each dispatch). */
  request?: string;
}

export interface Task {
  id: string;
  repo: { id: number; owner: string; name: string; defaultBranch: string; cloneUrl: string };
  installationId: number;
  issue: number;
  agent: string;
  /** Login of the person who asked (added the label). */
  sender: string;
  settings: TaskSettings;
  /**
   * The request as it stood when it was made (the label added): the agent is given this text, and comments
   * written or edited later are left out, so an edit after the trigger cannot change what the agent does.
   */
  trigger?: { at: string; title: string; body: string };
  state: TaskState;
  /** 1 for the first run; a new request after the task settled starts the next attempt. */
  attempt: number;
  /** Bumped on every change; lets readers tell a newer record from an older one. */
  version: number;
  createdAt: string;
  updatedAt: string;
  /** Which installation's slot the task was given when admitted (the scheduler's; its repository may move). */
  slotInstallation?: string;
  /** When this attempt was asked for (queued); the queue wait is measured from here. */
  queuedAt?: string;
  startedAt?: string;
  finishedAt?: string;
  /** Place in the repository's queue when the task was queued (1 = next). */
  position?: number;
  branch: string;
  baseSha?: string;
  commitSha?: string;
  /** Every commit Flotilla made for this task, over all attempts: the branch may be moved only from one. */
  commits?: string[];
  /** The PR's title source and body, rendered when the run ended, so a resumed attempt can open the PR. */
  prTitle?: string;
  prBody?: string;
  /** `draft`: opened as a draft (partial work); it is not judged while GitHub still shows it as one. */
  pr?: { number: number; url: string; draft?: boolean };
  /** This attempt was stopped at a limit and its changes were kept. */
  partial?: PartialRun;
  commentId?: number;
  /** What Flotilla last wrote in it, so an update that would change nothing is not sent. */
  commentBody?: string;
  error?: TaskError;
  /** The workflow run, on the actions backend. */
  run?: RemoteRun;
  /** Set when a person asked to stop the attempt (label removed, issue closed): why. */
  cancel?: { at: string; reason: string };
  /** Set when this attempt iterates on the pull request rather than starting from the default branch. */
  iteration?: Iteration;
  /** Automatic fix iterations so far on this pull request (the fix loop's count, see `judge.maxRounds`). */
  autoRounds?: number;
  /** The judge on the pull request's latest head. */
  review?: Review;
  /** This attempt is a race's candidate (docs/races.md): it commits its branch but opens no pull request. */
  race?: { id: string };
  /** `waiting-budget`: which budget is spent, in words for the issue. */
  waitingFor?: string;
  /** The agent's last lines of output, redacted. */
  outputTail?: string;
  /** What the agent reported spending in this attempt. */
  usage?: Usage;
  durationMs?: number;
}

export function isActive(state: TaskState): boolean {
  return (ACTIVE_STATES as readonly string[]).includes(state);
}

/** `r<repo id>-i<issue>-<agent>`: stable across renames, and valid as a BullMQ job id (no `:`). */
export function taskIdFor(repoId: number, issue: number, agent: string): string {
  return `r${repoId}-i${issue}-${agent}`;
}

/** The branch a task's work is published on; one per issue and agent, reused by reruns. */
export function branchFor(issue: number, agent: string): string {
  return `flotilla/${issue}-${agent}`;
}

/**
 * The id of the task whose branch a pull request comes from: a task branch of this repository (a fork's
 * branch of the same name is someone else's), or undefined.
 */
export function taskIdOfPull(repoId: number, head: { ref: string; repo?: { id: number } | null }) {
  const branch = head.repo?.id === repoId ? parseTaskBranch(head.ref) : undefined;
  return branch ? taskIdFor(repoId, branch.issue, branch.agent) : undefined;
}

/** The issue and agent of a task branch (`flotilla/<issue>-<agent>`), or undefined for any other branch. */
export function parseTaskBranch(branch: string): { issue: number; agent: string } | undefined {
  const match = /^flotilla\/([1-9]\d*)-([a-z0-9][a-z0-9-]*)$/.exec(branch);
  if (!match?.[1] || !match[2]) return undefined;
  return { issue: Number(match[1]), agent: match[2] };
}
