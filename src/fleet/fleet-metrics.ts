import type { Redis } from "ioredis";
import type { Keys } from "./keys.js";
import type { Task } from "./task.js";

/**
 * The fleet's own metrics, kept in Redis so that every process adds to the same totals and any webhook
 * server's `/metrics` shows the whole fleet (workers need no port of their own). Counters and histogram
 * buckets are fields of one hash, `<metric>\t<labels as JSON>`; gauges of another. Recording never fails
 * the work it measures: a Redis error is dropped.
 */

export type Labels = Record<string, string>;

/** Seconds: webhook handling is milliseconds, waits and runs are seconds to hours. */
export const BUCKETS = {
  flotilla_webhook_handler_seconds: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  flotilla_task_queue_wait_seconds: [1, 5, 15, 60, 300, 900, 3600, 4 * 3600],
  flotilla_task_run_seconds: [5, 30, 60, 300, 900, 1800, 3600, 2 * 3600, 6 * 3600],
} as const;

export type HistogramName = keyof typeof BUCKETS;

/** A field of the counters hash, split back into its metric name and labels. */
export function parseField(field: string): { name: string; labels: Labels } {
  const [name = "", labels = "{}"] = field.split("\t");
  return { name, labels: JSON.parse(labels) as Labels };
}

function field(name: string, labels: Labels): string {
  const sorted = Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
  return `${name}\t${JSON.stringify(sorted)}`;
}

export class FleetMetrics {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** A task attempt ended: its state, how long it ran, what it cost. */
  async taskFinished(task: Task): Promise<void> {
    const repo = `${task.repo.owner}/${task.repo.name}`;
    const agent = task.agent;
    const m = this.redis.multi();
    m.hincrbyfloat(
      this.keys.metrics,
      field("flotilla_tasks_finished_total", { state: task.state, agent, repo }),
      1,
    );
    if (task.durationMs !== undefined && task.startedAt)
      this.observeInto(
        m,
        "flotilla_task_run_seconds",
        { backend: task.settings.backend, agent },
        task.durationMs / 1000,
      );
    const cost = task.usage?.costUsd;
    if (cost !== undefined && cost > 0)
      m.hincrbyfloat(this.keys.metrics, field("flotilla_agent_cost_usd_total", { agent, repo }), cost);
    await m.exec().catch(() => undefined);
  }

  /** A judge run ended: its decision (`no-verdict` when it errored, timed out or answered nonsense), its cost. */
  async judged(task: Task, judge: string, decision: string, costUsd: number | undefined): Promise<void> {
    const repo = `${task.repo.owner}/${task.repo.name}`;
    const m = this.redis.multi();
    m.hincrbyfloat(this.keys.metrics, field("flotilla_judge_verdicts_total", { decision, judge, repo }), 1);
    if (costUsd !== undefined && costUsd > 0)
      m.hincrbyfloat(
        this.keys.metrics,
        field("flotilla_agent_cost_usd_total", { agent: judge, repo }),
        costUsd,
      );
    await m.exec().catch(() => undefined);
  }

  /** A task attempt started running: how long it waited since it was asked for. */
  async taskStarted(task: Task, startedAt: string): Promise<void> {
    if (!task.queuedAt) return;
    const waited = (Date.parse(startedAt) - Date.parse(task.queuedAt)) / 1000;
    if (!(waited >= 0)) return;
    const m = this.redis.multi();
    this.observeInto(m, "flotilla_task_queue_wait_seconds", { backend: task.settings.backend }, waited);
    await m.exec().catch(() => undefined);
  }

  async webhookHandled(event: string, seconds: number): Promise<void> {
    const m = this.redis.multi();
    this.observeInto(m, "flotilla_webhook_handler_seconds", { event }, seconds);
    await m.exec().catch(() => undefined);
  }

  /** One GitHub API response (or failure), and the rate limit it reported for its installation. */
  async githubRequest(
    method: string,
    status: number,
    rateLimit?: { remaining: number; resource: string },
  ): Promise<void> {
    const m = this.redis.multi();
    m.hincrbyfloat(
      this.keys.metrics,
      field("flotilla_github_requests_total", { method, status: String(status) }),
      1,
    );
    if (rateLimit)
      m.hset(
        this.keys.gauges,
        field("flotilla_github_rate_limit_remaining", { resource: rateLimit.resource }),
        rateLimit.remaining,
      );
    await m.exec().catch(() => undefined);
  }

  /** Every counter and histogram field, and every gauge, as recorded so far. */
  async read(): Promise<{ counters: Record<string, string>; gauges: Record<string, string> }> {
    const [counters, gauges] = await Promise.all([
      this.redis.hgetall(this.keys.metrics),
      this.redis.hgetall(this.keys.gauges),
    ]);
    return { counters, gauges };
  }

  private observeInto(
    m: ReturnType<Redis["multi"]>,
    name: HistogramName,
    labels: Labels,
    value: number,
  ): void {
    for (const le of BUCKETS[name])
      if (value <= le)
        m.hincrbyfloat(this.keys.metrics, field(`${name}_bucket`, { ...labels, le: String(le) }), 1);
    m.hincrbyfloat(this.keys.metrics, field(`${name}_bucket`, { ...labels, le: "+Inf" }), 1);
    m.hincrbyfloat(this.keys.metrics, field(`${name}_sum`, labels), value);
    m.hincrbyfloat(this.keys.metrics, field(`${name}_count`, labels), 1);
  }
}
