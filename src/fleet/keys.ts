/** Redis key names, in one place, so the Lua scripts and the TypeScript agree. */
export class Keys {
  constructor(readonly prefix: string) {}

  task(id: string): string {
    return `${this.prefix}:task:${id}`;
  }
  /** Prefix of every task hash; the Lua scripts append an id. */
  get taskPrefix(): string {
    return `${this.prefix}:task:`;
  }
  /** Tasks waiting for one of the repository's slots in a lane, oldest first (scheduler.ts, lane_key). */
  waiting(repoId: number, lane: "high" | "normal" | "low" = "normal"): string {
    const base = `${this.prefix}:repo:${repoId}:waiting`;
    return lane === "normal" ? base : `${base}:${lane}`;
  }
  /** Tasks holding one of the repository's slots. */
  running(repoId: number): string {
    return `${this.prefix}:repo:${repoId}:running`;
  }
  /** The repository's slot count (its config's `concurrency.perRepo` as last seen). */
  limit(repoId: number): string {
    return `${this.prefix}:repo:${repoId}:limit`;
  }
  /** Every repository that has had a task, for the reconciler. */
  get repos(): string {
    return `${this.prefix}:repos`;
  }
  /** A webhook delivery already acted on (GitHub redelivers with the same id). */
  delivery(guid: string): string {
    return `${this.prefix}:delivery:${guid}`;
  }
  /** The task a workflow run works for (the actions backend), so its webhooks find it. */
  remoteRun(repoId: number, runId: number): string {
    return `${this.prefix}:repo:${repoId}:actions-run:${runId}`;
  }
  /** The Actions run of one round of a judge's review on a runner (`label`: `<review>-<round>`). */
  judgeRun(taskId: string, label: string): string {
    return `${this.prefix}:task:${taskId}:judge-run:${label}`;
  }
  /** A judge's Actions run while the judge follows it: `following`, then `completed` (its webhook said so). */
  judgeRunState(repoId: number, runId: number): string {
    return `${this.prefix}:repo:${repoId}:judge-run:${runId}`;
  }
  /** The task whose pull request has this head, so the CI webhooks for the commit find its review. */
  reviewHead(repoId: number, sha: string): string {
    return `${this.prefix}:repo:${repoId}:review-head:${sha}`;
  }
  /** Held while one job looks at a head's CI, so two looks never overlap. */
  reviewLock(taskId: string, sha: string): string {
    return `${this.prefix}:lock:review:${taskId}:${sha}`;
  }
  /** The fleet's counters and histogram buckets (fleet-metrics.ts). */
  get metrics(): string {
    return `${this.prefix}:metrics:counters`;
  }
  /** The fleet's gauges that are recorded, not computed at scrape (GitHub's rate limit). */
  get gauges(): string {
    return `${this.prefix}:metrics:gauges`;
  }
  /** People's feedback on the task's pull request that no iteration has taken yet, oldest first. */
  feedback(taskId: string): string {
    return `${this.prefix}:task:${taskId}:feedback`;
  }
  /** Ids of the feedback ever added for the task, so a redelivered comment is added once. */
  feedbackSeen(taskId: string): string {
    return `${this.prefix}:task:${taskId}:feedback-seen`;
  }
  /** Iterations people asked for on the task's pull request on one day (UTC, `YYYY-MM-DD`). */
  iterationsOn(taskId: string, day: string): string {
    return `${this.prefix}:task:${taskId}:iterations:${day}`;
  }
  /** What the repository's agents spent in a month (`YYYY-MM`, UTC): usd, seconds, runs. */
  usage(repoId: number, month: string): string {
    return `${this.prefix}:repo:${repoId}:usage:${month}`;
  }
  /** Set once a run's usage is counted (`a<attempt>`, `j<judge check>`), so a retried step counts it once. */
  usageCounted(taskId: string, run: string): string {
    return `${this.prefix}:task:${taskId}:usage-counted:${run}`;
  }
  /** Tasks of the repository waiting for its budget, by when they began to wait. */
  budgetWaiting(repoId: number): string {
    return `${this.prefix}:repo:${repoId}:budget-waiting`;
  }
  /** The task's moves from state to state, oldest first (task-timeline.ts builds it from the task key). */
  timeline(id: string): string {
    return `${this.task(id)}:timeline`;
  }
  /** A fleet dashboard session, by the SHA-256 of its cookie (dashboard/sessions.ts). */
  dashboardSession(hash: string): string {
    return `${this.prefix}:dashboard:session:${hash}`;
  }
  /** A sign-in under way: the OAuth `state` sent to GitHub, and where to return. */
  dashboardSignIn(state: string): string {
    return `${this.prefix}:dashboard:sign-in:${state}`;
  }
  /** A race on one issue (race.ts): its candidates, deadline, state and ranking. */
  race(id: string): string {
    return `${this.prefix}:race:${id}`;
  }
  /** Serializes edits of one task's status comment. */
  commentLock(id: string): string {
    return `${this.prefix}:lock:comment:${id}`;
  }
}
