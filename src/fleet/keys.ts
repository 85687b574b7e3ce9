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
  /** Serializes edits of one task's status comment. */
  commentLock(id: string): string {
    return `${this.prefix}:lock:comment:${id}`;
  }
}
