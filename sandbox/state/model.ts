/**
 * The sandbox's world: plain records, one type per GitHub resource. Routes read and change these; the
 * renderers in `sandbox/render` turn them into the JSON GitHub would send. Times are ISO strings because
 * that is how GitHub shows them, and it keeps records printable.
 */

export type Role = "admin" | "maintain" | "write" | "triage" | "read";
export type AccessLevel = "read" | "write" | "admin";
/** GitHub App permission names (`app-permissions` in the OpenAPI description) to their level. */
export type Permissions = Record<string, AccessLevel>;

export interface User {
  id: number;
  login: string;
  type: "User" | "Organization" | "Bot";
  name: string | null;
  email: string | null;
  /** Site admins do not exist here; kept because every `simple-user` carries the flag. */
  siteAdmin: false;
}

export interface App {
  id: number;
  slug: string;
  name: string;
  ownerId: number;
  clientId: string;
  /** For "Sign in with GitHub": the App's code exchange proves itself with it (sandbox/oauth). */
  clientSecret: string;
  /** Where GitHub may send people back after they authorize the App; null: none registered yet. */
  callbackUrl: string | null;
  /** PEM (PKCS#1) the App signs its JWTs with; the sandbox keeps the public half to verify them. */
  privateKey: string;
  publicKey: string;
  webhookSecret: string;
  /** Where the sandbox delivers this App's webhooks; null means "record only". */
  webhookUrl: string | null;
  permissions: Permissions;
  events: string[];
  createdAt: string;
  /** The App's bot user, the author of what installation tokens create (`<slug>[bot]`). */
  botUserId: number;
  /** GitHub's own App (GitHub Actions): installed where it works, but never sent webhooks. */
  builtIn?: true;
}

export interface Installation {
  id: number;
  appId: number;
  accountId: number;
  /** "all" or the ids of the selected repositories. */
  repositorySelection: "all" | "selected";
  repositoryIds: Set<number>;
  permissions: Permissions;
  events: string[];
  createdAt: string;
  suspendedAt: string | null;
}

export interface InstallationToken {
  token: string;
  installationId: number;
  expiresAt: number;
  permissions: Permissions;
  /** null: every repository of the installation. */
  repositoryIds: Set<number> | null;
}

/** A user access token (`ghu_…`): what the App may do on behalf of one person, for 8 hours. */
export interface UserToken {
  token: string;
  appId: number;
  userId: number;
  expiresAt: number;
}

/** A one-use code from the authorize page, for the App to exchange within 10 minutes. */
export interface AuthorizationCode {
  code: string;
  appId: number;
  userId: number;
  redirectUri: string;
  expiresAt: number;
}

export interface Label {
  id: number;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

export type ReactionContent = "+1" | "-1" | "laugh" | "confused" | "heart" | "hooray" | "rocket" | "eyes";

export interface Reaction {
  id: number;
  userId: number;
  content: ReactionContent;
  createdAt: string;
}

export interface IssueComment {
  id: number;
  issueNumber: number;
  userId: number;
  body: string;
  createdAt: string;
  updatedAt: string;
  reactions: Reaction[];
  /** Set when a comment was made with an installation token: GitHub shows `performed_via_github_app`. */
  viaAppId: number | null;
}

export interface Issue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  userId: number;
  state: "open" | "closed";
  stateReason: "completed" | "not_planned" | "reopened" | null;
  labelIds: number[];
  assigneeIds: number[];
  locked: boolean;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  closedById: number | null;
  reactions: Reaction[];
  /** Present when this number belongs to a pull request (they share one sequence, as on GitHub). */
  pull: PullRequest | null;
}

export interface PullRequest {
  id: number;
  headRef: string;
  headSha: string;
  baseRef: string;
  /** The base branch's sha when the PR was opened or last updated, for `base.sha`. */
  baseSha: string;
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergedById: number | null;
  mergeCommitSha: string | null;
  maintainerCanModify: boolean;
  reviews: Review[];
  reviewComments: ReviewComment[];
  requestedReviewerIds: number[];
}

export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";

export interface Review {
  id: number;
  userId: number;
  body: string;
  state: ReviewState;
  commitId: string;
  submittedAt: string | null;
}

export interface ReviewComment {
  id: number;
  reviewId: number | null;
  userId: number;
  body: string;
  path: string;
  line: number | null;
  side: "LEFT" | "RIGHT";
  startLine: number | null;
  commitId: string;
  inReplyToId: number | null;
  createdAt: string;
  updatedAt: string;
  reactions: Reaction[];
}

export type CheckStatus = "queued" | "in_progress" | "completed" | "waiting" | "requested" | "pending";
export type CheckConclusion =
  | "success"
  | "failure"
  | "neutral"
  | "cancelled"
  | "skipped"
  | "timed_out"
  | "action_required"
  | "stale"
  | "startup_failure";

export interface CheckSuite {
  id: number;
  appId: number;
  headSha: string;
  headBranch: string | null;
  status: CheckStatus;
  conclusion: CheckConclusion | null;
  createdAt: string;
  updatedAt: string;
}

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
  raw_details?: string;
}

export interface CheckRun {
  id: number;
  suiteId: number;
  appId: number;
  name: string;
  headSha: string;
  status: CheckStatus;
  conclusion: CheckConclusion | null;
  externalId: string | null;
  detailsUrl: string | null;
  startedAt: string;
  completedAt: string | null;
  output: {
    title: string | null;
    summary: string | null;
    text: string | null;
    annotations: CheckAnnotation[];
  };
}

export interface CommitStatus {
  id: number;
  sha: string;
  state: "error" | "failure" | "pending" | "success";
  context: string;
  description: string | null;
  targetUrl: string | null;
  creatorId: number;
  createdAt: string;
  updatedAt: string;
}

export interface Workflow {
  id: number;
  /** `.github/workflows/<file>` */
  path: string;
  name: string;
  state: "active" | "disabled_manually";
  createdAt: string;
}

/** One step of a job as the runner reports it; a step not started yet is `queued` and not shown. */
export interface WorkflowStep {
  name: string;
  number: number;
  status: "queued" | "in_progress" | "completed";
  conclusion: "success" | "failure" | "cancelled" | "skipped" | null;
  startedAt: string | null;
  completedAt: string | null;
}

export interface WorkflowJob {
  id: number;
  runId: number;
  name: string;
  status: "queued" | "in_progress" | "completed" | "waiting";
  conclusion: CheckConclusion | null;
  startedAt: string;
  completedAt: string | null;
  runnerName: string | null;
  /** The steps, when a runner reported them (the agent workflow); absent, the job shows generic ones. */
  steps?: WorkflowStep[];
}

export interface Artifact {
  id: number;
  runId: number;
  name: string;
  /** The files inside the artifact; downloaded as one zip. */
  files: Record<string, Buffer>;
  sizeInBytes: number;
  createdAt: string;
  expiresAt: string;
  expired: boolean;
}

export interface WorkflowRun {
  id: number;
  workflowId: number;
  name: string;
  displayTitle: string;
  event: string;
  headBranch: string;
  headSha: string;
  status: "queued" | "in_progress" | "completed" | "requested" | "waiting" | "pending";
  conclusion: CheckConclusion | null;
  runNumber: number;
  runAttempt: number;
  inputs: Record<string, unknown>;
  actorId: number;
  triggeringActorId: number;
  createdAt: string;
  updatedAt: string;
  runStartedAt: string;
  jobs: WorkflowJob[];
  artifacts: Artifact[];
}

export interface Repo {
  id: number;
  ownerId: number;
  name: string;
  description: string | null;
  private: boolean;
  defaultBranch: string;
  /** The bare git repository on disk that holds this repository's objects and refs. */
  gitDir: string;
  createdAt: string;
  pushedAt: string;
  /** userId → role; the owner is admin without being listed. */
  collaborators: Map<number, Role>;
  labels: Label[];
  /** Issues and pull requests by number: one sequence, as on GitHub. */
  issues: Map<number, Issue>;
  nextNumber: number;
  comments: IssueComment[];
  checkSuites: CheckSuite[];
  checkRuns: CheckRun[];
  statuses: CommitStatus[];
  workflows: Workflow[];
  workflowRuns: WorkflowRun[];
}
