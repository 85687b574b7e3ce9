import type { Fleet } from "./fleet.js";
import type { Task, TaskSettings } from "./task.js";

/** What a repository's agents spent in one month, as their CLIs reported it. */
export interface MonthUsage {
  usd: number;
  seconds: number;
  /** Runs counted (agent attempts that started, and judge runs). */
  runs: number;
}

/** A month's usage outlives the month long enough to be read back in the next one. */
const USAGE_TTL_SECONDS = 400 * 24 * 3600;

// KEYS: counted marker, usage hash. ARGV: usd, seconds, ttl. Counts a run once, however often it is reported.
const RECORD = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[3]) then return 0 end
redis.call('HINCRBYFLOAT', KEYS[2], 'usd', ARGV[1])
redis.call('HINCRBYFLOAT', KEYS[2], 'seconds', ARGV[2])
redis.call('HINCRBY', KEYS[2], 'runs', 1)
redis.call('EXPIRE', KEYS[2], ARGV[3])
return 1
`;

/** The month (UTC) a time falls in: `YYYY-MM`. */
export function monthOf(time: Date | string): string {
  return new Date(time).toISOString().slice(0, 7);
}

/**
 * Adds a run's cost and time to its repository's month: once per `run` (`a<attempt>` for an agent
 * attempt, `j<check id>` for a judge run), so a retried step or a second report counts nothing twice.
 */
export async function recordUsage(
  fleet: Fleet,
  task: Task,
  run: string,
  spent: { usd?: number; seconds?: number },
  at: Date | string = new Date(),
): Promise<boolean> {
  const counted = await fleet.redis.eval(
    RECORD,
    2,
    fleet.keys.usageCounted(task.id, run),
    fleet.keys.usage(task.repo.id, monthOf(at)),
    String(Math.max(0, spent.usd ?? 0)),
    String(Math.max(0, spent.seconds ?? 0)),
    USAGE_TTL_SECONDS,
  );
  return counted === 1;
}

export async function monthUsage(fleet: Fleet, repoId: number, month: string): Promise<MonthUsage> {
  const fields = await fleet.redis.hgetall(fleet.keys.usage(repoId, month));
  return {
    usd: Number(fields.usd ?? 0),
    seconds: Number(fields.seconds ?? 0),
    runs: Number(fields.runs ?? 0),
  };
}

/**
 * Why a run may not start now, in words for the issue ("budget for June reached: 48.10 of 50 USD"), or
 * undefined when the month's usage is within every budget set.
 */
export function budgetReached(
  budget: TaskSettings["budget"],
  usage: MonthUsage,
  month: string,
): string | undefined {
  const name = new Date(`${month}-01T00:00:00Z`).toLocaleString("en", { month: "long", timeZone: "UTC" });
  if (budget?.monthlyUsd !== undefined && usage.usd >= budget.monthlyUsd)
    return `budget for ${name} reached: ${usage.usd.toFixed(2)} of ${budget.monthlyUsd} USD`;
  const hours = usage.seconds / 3600;
  if (budget?.monthlyAgentHours !== undefined && hours >= budget.monthlyAgentHours)
    return `agent-hours budget for ${name} reached: ${hours.toFixed(1)} of ${budget.monthlyAgentHours} hours`;
  return undefined;
}

/** Why the task may not run now, from its repository's usage this month, or undefined. */
export async function overBudget(fleet: Fleet, task: Task, now = new Date()): Promise<string | undefined> {
  const budget = task.settings.budget;
  if (budget?.monthlyUsd === undefined && budget?.monthlyAgentHours === undefined) return undefined;
  const month = monthOf(now);
  return budgetReached(budget, await monthUsage(fleet, task.repo.id, month), month);
}
