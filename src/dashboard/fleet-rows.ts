import type { Fleet } from "../fleet/fleet.js";
import { SLOT_STATES, type Task, type TaskState } from "../fleet/task.js";
import { parseTask } from "../fleet/task-store.js";
import type { RepoAccess } from "./user-access.js";

/** What the dashboard shows of a task: only what its repository's readers may see on GitHub anyway. */
export interface TaskRow {
  id: string;
  repo: string;
  issue: number;
  issueUrl: string;
  agent: string;
  /** The task's state; `stopping` while a stop asked for is being carried out. */
  state: TaskState | "stopping";
  attempt: number;
  /** Place in its repository's line, for a queued task (1 = next). */
  position?: number;
  /** Since it was asked for (queued), it started (running), or how long it took (ended). */
  elapsed?: { ms: number; since: "queued" | "started" | "took" };
  costUsd?: number;
  pr?: { number: number; url: string };
  /** The checks on the pull request's head: what the gate says, or where it is. */
  checks?: { stage: "waiting-ci" | "judging" | "passed" | "failed"; detail?: string };
  judge?: "approve" | "request_changes" | "inconclusive";
  /** The workflow run's page (actions backend), where the logs are. */
  logsUrl?: string;
  /** The person may stop or retry it (write access to the repository). */
  mayAct: boolean;
  canStop: boolean;
  canRetry: boolean;
}

export interface RowFilter {
  repo?: string;
  state?: string;
  agent?: string;
}

const RETRYABLE: readonly TaskState[] = ["failed", "cancelled", "timed-out"];

/**
 * Every task record in Redis, read with SCAN (never KEYS) in pages; the keys under a task (its feedback,
 * timeline) share the prefix and are skipped by their `:`.
 */
export async function readTasks(fleet: Fleet): Promise<Task[]> {
  const tasks: Task[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await fleet.redis.scan(cursor, "MATCH", `${fleet.keys.taskPrefix}*`, "COUNT", 500);
    cursor = next;
    const records = keys.filter((key) => !key.slice(fleet.keys.taskPrefix.length).includes(":"));
    if (records.length === 0) continue;
    const pipeline = fleet.redis.pipeline();
    for (const key of records) pipeline.hgetall(key);
    for (const [error, fields] of (await pipeline.exec()) ?? []) {
      if (error || !fields || typeof fields !== "object") continue;
      const task = parseTask(fields as Record<string, string>);
      if (task) tasks.push(task);
    }
  } while (cursor !== "0");
  return tasks;
}

/**
 * Queued tasks' places in their repositories' lines as they are now (the record keeps the place it had when
 * it was queued): the lanes in order, skipping tasks stopped while they waited.
 */
export async function queuePositions(fleet: Fleet, tasks: Task[]): Promise<Map<string, number>> {
  const queued = new Set(tasks.filter((t) => t.state === "queued").map((t) => t.id));
  const repos = [...new Set(tasks.filter((t) => queued.has(t.id)).map((t) => t.repo.id))];
  const positions = new Map<string, number>();
  for (const repo of repos) {
    const pipeline = fleet.redis.pipeline();
    for (const lane of ["high", "normal", "low"] as const)
      pipeline.lrange(fleet.keys.waiting(repo, lane), 0, -1);
    const line = ((await pipeline.exec()) ?? []).flatMap(([, ids]) => (Array.isArray(ids) ? ids : []));
    let place = 0;
    for (const id of line as string[]) if (queued.has(id) && !positions.has(id)) positions.set(id, ++place);
  }
  return positions;
}

/** The rows a person may see, filtered, the ones at work first and then the most recently changed. */
export function visibleRows(
  tasks: Task[],
  access: Map<number, RepoAccess>,
  positions: Map<string, number>,
  webUrl: string,
  filter: RowFilter = {},
  now = Date.now(),
): TaskRow[] {
  return tasks
    .filter((task) => access.has(task.repo.id))
    .map((task) => toRow(task, access.get(task.repo.id) as RepoAccess, positions, webUrl, now))
    .filter(
      (row) =>
        (!filter.repo || row.repo === filter.repo) &&
        (!filter.state || row.state === filter.state) &&
        (!filter.agent || row.agent === filter.agent),
    )
    .sort(
      (a, b) =>
        rank(a) - rank(b) || (a.position ?? 0) - (b.position ?? 0) || b.updatedAt.localeCompare(a.updatedAt),
    )
    .map(({ updatedAt: _, ...row }) => row);
}

export function toRow(
  task: Task,
  access: RepoAccess,
  positions: Map<string, number>,
  webUrl: string,
  now = Date.now(),
): TaskRow & { updatedAt: string } {
  const stopping = Boolean(task.cancel) && (SLOT_STATES as readonly string[]).includes(task.state);
  const position = positions.get(task.id);
  const costUsd = task.usage?.costUsd;
  const checks = checksOf(task);
  const canStop = !stopping && (task.state === "queued" || task.state === "waiting-budget" || isSlot(task));
  return {
    id: task.id,
    repo: access.fullName,
    issue: task.issue,
    issueUrl: `${webUrl}/${access.fullName}/issues/${task.issue}`,
    agent: task.agent,
    state: stopping ? "stopping" : task.state,
    attempt: task.attempt,
    ...(position !== undefined ? { position } : {}),
    ...elapsedOf(task, now),
    ...(costUsd !== undefined ? { costUsd } : {}),
    ...(task.pr ? { pr: task.pr } : {}),
    ...(checks ? { checks } : {}),
    ...(task.review?.decision ? { judge: task.review.decision } : {}),
    ...(task.run?.url ? { logsUrl: task.run.url } : {}),
    mayAct: access.write,
    canStop: access.write && canStop,
    canRetry: access.write && RETRYABLE.includes(task.state),
    updatedAt: task.updatedAt,
  };
}

function isSlot(task: Task): boolean {
  return (SLOT_STATES as readonly string[]).includes(task.state);
}

function elapsedOf(task: Task, now: number): Pick<TaskRow, "elapsed"> {
  const ms = (from: string, to?: string) => Math.max(0, (to ? Date.parse(to) : now) - Date.parse(from));
  if (task.finishedAt && task.startedAt)
    return { elapsed: { ms: ms(task.startedAt, task.finishedAt), since: "took" } };
  if (task.finishedAt) return {};
  if (task.startedAt) return { elapsed: { ms: ms(task.startedAt), since: "started" } };
  if (task.queuedAt) return { elapsed: { ms: ms(task.queuedAt), since: "queued" } };
  return {};
}

function checksOf(task: Task): TaskRow["checks"] {
  const review = task.review;
  if (!review || !task.pr) return undefined;
  if (review.stage !== "done") return { stage: review.stage };
  const detail = review.gateTitle ?? review.problem;
  return { stage: review.gate === "success" ? "passed" : "failed", ...(detail ? { detail } : {}) };
}

/** Work in progress first, in the order a task goes through; then the rest. */
function rank(row: TaskRow): number {
  const order = [
    "running",
    "stopping",
    "dispatched",
    "collecting",
    "publishing",
    "queued",
    "judging",
    "checking",
  ];
  const at = order.indexOf(row.state);
  return at === -1 ? order.length : at;
}
