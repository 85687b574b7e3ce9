import type { IncomingMessage, ServerResponse } from "node:http";
import { collectDefaultMetrics, type Metric, Registry } from "prom-client";
import type { Fleet } from "../../fleet/fleet.js";
import { type HistogramName, type Labels, parseField } from "../../fleet/fleet-metrics.js";
import { TASK_STATES } from "../../fleet/task.js";

type Value = { value: number; labels: Labels; metricName?: string };
type Snapshot = { counters: Record<string, string>; gauges: Record<string, string> };

const COUNTERS = {
  flotilla_tasks_finished_total:
    "Task attempts that ended, by the state they ended in, agent and repository.",
  flotilla_agent_cost_usd_total: "USD the agents reported spending, by agent and repository.",
  flotilla_judge_verdicts_total:
    "Judge runs by decision (approve, request_changes, inconclusive, no-verdict), judge agent and repository.",
  flotilla_github_requests_total:
    "GitHub API requests Flotilla made, by method and response status (0: no response).",
} as const;

const HISTOGRAMS: Record<HistogramName, string> = {
  flotilla_webhook_handler_seconds:
    "Time to handle a webhook (parse, authorize, enqueue) before it is acknowledged.",
  flotilla_task_queue_wait_seconds:
    "Time from a task being asked for to its agent starting (or its workflow run).",
  flotilla_task_run_seconds: "Time from a task attempt starting to its end, by backend and agent.",
};

/**
 * `/metrics` in Prometheus' text format: the process's own (prom-client's defaults), the fleet's counters
 * and histograms from Redis (every process records there, so this shows the whole fleet), and what is true
 * now: tasks by state, queued jobs, GitHub's rate limit.
 */
export function metricsRoute(fleet: Fleet) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // One read of Redis per scrape, shared by the families below.
  let snapshot: Promise<Snapshot> | undefined;
  const read = () => {
    snapshot ??= fleet.metrics.read().finally(() => setTimeout(() => (snapshot = undefined), 1_000).unref());
    return snapshot;
  };
  const family = (
    name: string,
    help: string,
    type: "counter" | "gauge" | "histogram",
    values: () => Promise<Value[]>,
  ) =>
    registry.registerMetric({
      name,
      help,
      type,
      aggregator: "sum",
      get: async () => ({ name, help, type, aggregator: "sum", values: await values() }),
    } as unknown as Metric);

  for (const [name, help] of Object.entries(COUNTERS))
    family(name, help, "counter", async () => fieldsOf((await read()).counters, (n) => n === name));
  for (const [name, help] of Object.entries(HISTOGRAMS))
    family(name, help, "histogram", async () =>
      fieldsOf(
        (await read()).counters,
        (n) => n.startsWith(`${name}_`) && /_(bucket|sum|count)$/.test(n),
      ).sort((a, b) => bucketOrder(a) - bucketOrder(b)),
    );
  family(
    "flotilla_github_rate_limit_remaining",
    "Requests GitHub said were left in the rate-limit window, as last seen, by resource.",
    "gauge",
    async () => fieldsOf((await read()).gauges, (n) => n === "flotilla_github_rate_limit_remaining"),
  );
  family("flotilla_tasks", "Tasks by their current state (each task's latest attempt).", "gauge", () =>
    tasksByState(fleet),
  );
  family("flotilla_queue_jobs", "Jobs in Flotilla's queues, by queue and state.", "gauge", () =>
    queueJobs(fleet),
  );

  return async (_req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const text = await registry.metrics();
      res.writeHead(200, { "content-type": registry.contentType });
      res.end(text);
    } catch (error) {
      res.writeHead(503, { "content-type": "text/plain" });
      res.end(`metrics unavailable: ${(error as Error).message}\n`);
    }
  };
}

function fieldsOf(hash: Record<string, string>, wanted: (name: string) => boolean): Value[] {
  const values: Value[] = [];
  for (const [key, raw] of Object.entries(hash)) {
    const { name, labels } = parseField(key);
    if (wanted(name)) values.push({ value: Number(raw), labels, metricName: name });
  }
  return values;
}

/** Buckets by `le` (as Prometheus lists them), then the sum and the count. */
function bucketOrder(value: Value): number {
  const le = value.labels.le;
  if (le === undefined)
    return value.metricName?.endsWith("_sum") ? Number.MAX_VALUE : Number.POSITIVE_INFINITY;
  return le === "+Inf" ? Number.MAX_SAFE_INTEGER : Number(le);
}

/** Every task's state, read with SCAN (never KEYS) in pages. */
async function tasksByState(fleet: Fleet): Promise<Value[]> {
  const counts = new Map<string, number>(TASK_STATES.map((state) => [state, 0]));
  let cursor = "0";
  do {
    const [next, keys] = await fleet.redis.scan(cursor, "MATCH", `${fleet.keys.taskPrefix}*`, "COUNT", 500);
    cursor = next;
    if (keys.length === 0) continue;
    const pipeline = fleet.redis.pipeline();
    for (const key of keys) pipeline.hget(key, "state");
    for (const [, state] of (await pipeline.exec()) ?? []) {
      if (typeof state !== "string") continue;
      const name = JSON.parse(state) as string;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  } while (cursor !== "0");
  return [...counts].map(([state, value]) => ({ value, labels: { state } }));
}

async function queueJobs(fleet: Fleet): Promise<Value[]> {
  const values: Value[] = [];
  for (const [queue, q] of [
    ["runs", fleet.queues.runs],
    ["updates", fleet.queues.updates],
    ["reviews", fleet.queues.reviews],
    ["judge", fleet.queues.judge],
    ["judge-remote", fleet.queues.remoteJudge],
    ["races", fleet.queues.races],
  ] as const) {
    const counts = await q.getJobCounts("waiting", "active", "delayed", "prioritized", "failed");
    for (const [state, value] of Object.entries(counts)) values.push({ value, labels: { queue, state } });
  }
  return values;
}
