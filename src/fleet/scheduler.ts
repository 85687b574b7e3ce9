import type { Redis } from "ioredis";
import type { Keys } from "./keys.js";
import { ACTIVE_STATES, SLOT_STATES, type Task } from "./task.js";

/**
 * Per-repository slots, kept in Redis so every app and worker process shares them. A task first waits in its
 * repository's list (arrival order; it holds no worker slot and no lock there), and is admitted, i.e. moved
 * into the repository's running set and handed to the run queue, while the set has room. Each step is one Lua
 * script, so two processes can never admit past the limit or admit the same task twice.
 */

/** A Lua table used as a set of states, JSON-encoded as the task hashes store them: one list, in task.ts. */
function luaStateSet(states: readonly string[]): string {
  return `({${states.map((state) => `['${JSON.stringify(state)}'] = true`).join(", ")}})`;
}

// Moves waiting tasks into the running set while it has room. Tasks no longer queued (cancelled while they
// waited) are dropped from the list without taking a slot.
const ADMIT = `
local function admit(waiting, running, limit, taskPrefix, now)
  local admitted = {}
  while redis.call('SCARD', running) < limit do
    local id = redis.call('LPOP', waiting)
    if not id then break end
    local key = taskPrefix .. id
    if redis.call('HGET', key, 'state') == '"queued"' then
      redis.call('SADD', running, id)
      redis.call('HSET', key, 'state', '"dispatched"', 'updatedAt', now)
      redis.call('HINCRBY', key, 'version', 1)
      table.insert(admitted, id)
    end
  end
  return admitted
end
`;

// Fields a new attempt starts without; the branch, PR and status comment carry over, so a rerun updates them.
const PER_ATTEMPT_FIELDS = [
  "error",
  "outputTail",
  "usage",
  "startedAt",
  "finishedAt",
  "durationMs",
  "position",
  "baseSha",
  "commitSha",
  "prTitle",
  "prBody",
  "run",
  "cancel",
];

// KEYS: delivery, task, waiting, running, limit, repos. ARGV: delivery ttl (0 = none), limit, now, fields
// (JSON object of field -> JSON text), task id, repo id, task key prefix, per-attempt fields (JSON array).
const ENQUEUE = `${ADMIT}
if tonumber(ARGV[1]) > 0 and not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return {'duplicate-delivery'}
end
local state = redis.call('HGET', KEYS[2], 'state')
if state and ${luaStateSet(ACTIVE_STATES)}[state] then
  return {'active', cjson.decode(state), redis.call('HEXISTS', KEYS[2], 'cancel')}
end
local attempt = tonumber(redis.call('HGET', KEYS[2], 'attempt') or '0') + 1
local created = redis.call('HGET', KEYS[2], 'createdAt') or ARGV[3]
for _, field in ipairs(cjson.decode(ARGV[8])) do redis.call('HDEL', KEYS[2], field) end
for field, value in pairs(cjson.decode(ARGV[4])) do redis.call('HSET', KEYS[2], field, value) end
redis.call('HSET', KEYS[2], 'id', cjson.encode(ARGV[5]), 'state', '"queued"', 'attempt', attempt,
  'createdAt', created, 'updatedAt', ARGV[3], 'queuedAt', ARGV[3])
redis.call('HINCRBY', KEYS[2], 'version', 1)
redis.call('RPUSH', KEYS[3], ARGV[5])
redis.call('SET', KEYS[5], ARGV[2])
redis.call('SADD', KEYS[6], ARGV[6])
local admitted = admit(KEYS[3], KEYS[4], tonumber(ARGV[2]), ARGV[7], ARGV[3])
local position = redis.call('LPOS', KEYS[3], ARGV[5])
if position then
  position = position + 1
  redis.call('HSET', KEYS[2], 'position', position)
else
  position = 0
end
return {'queued', attempt, position, unpack(admitted)}
`;

// KEYS: running, waiting, limit. ARGV: task id (or '' to only admit), task key prefix, now.
// A finished attempt keeps its slot until it releases it. If a rerun was admitted in between, the slot is
// already the new attempt's (admitting it added nothing to the set), so the old attempt leaves it alone.
const RELEASE = `${ADMIT}
if ARGV[1] ~= '' then
  local state = redis.call('HGET', ARGV[2] .. ARGV[1], 'state')
  if not (state and ${luaStateSet(SLOT_STATES)}[state]) then
    redis.call('SREM', KEYS[1], ARGV[1])
  end
end
local limit = tonumber(redis.call('GET', KEYS[3]) or '1')
return admit(KEYS[2], KEYS[1], limit, ARGV[2], ARGV[3])
`;

/** A new task, or a new attempt of a settled one; everything but the scheduler's own fields. */
export type TaskDraft = Omit<Task, "state" | "attempt" | "version" | "createdAt" | "updatedAt">;

export type EnqueueResult =
  /** Recorded and waiting (position ≥ 1) or already admitted (position 0); `admitted` lists every task
   * that just got a slot, this one or not, and must be handed to the run queue. */
  | { status: "queued"; attempt: number; position: number; admitted: string[] }
  /** The task is already queued or running (`stopping`: a stop was asked for): nothing new was started. */
  | { status: "active"; state: string; stopping: boolean }
  /** This webhook delivery was already acted on. */
  | { status: "duplicate-delivery" };

/** How long a delivery id is remembered; GitHub lets people redeliver for 3 days. */
const DELIVERY_TTL_SECONDS = 3 * 24 * 60 * 60;

export class Scheduler {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /**
   * Records the task (or its next attempt) and puts it in line, unless this delivery was seen or the task is
   * already active. One atomic step: a crash can never leave a delivery marked but its task unrecorded.
   */
  async enqueue(draft: TaskDraft, perRepo: number, deliveryId?: string): Promise<EnqueueResult> {
    const { id, repo } = draft;
    const fields = Object.fromEntries(
      Object.entries(draft)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => [key, JSON.stringify(value)]),
    );
    const now = JSON.stringify(new Date().toISOString());
    const reply = (await this.redis.eval(
      ENQUEUE,
      6,
      this.keys.delivery(deliveryId ?? "none"),
      this.keys.task(id),
      this.keys.waiting(repo.id),
      this.keys.running(repo.id),
      this.keys.limit(repo.id),
      this.keys.repos,
      deliveryId ? DELIVERY_TTL_SECONDS : 0,
      perRepo,
      now,
      JSON.stringify(fields),
      id,
      repo.id,
      this.keys.taskPrefix,
      JSON.stringify(PER_ATTEMPT_FIELDS),
    )) as (string | number)[];
    const [status, ...rest] = reply;
    if (status === "duplicate-delivery") return { status };
    if (status === "active") return { status, state: String(rest[0]), stopping: rest[1] === 1 };
    const [attempt, position, ...admitted] = rest;
    return {
      status: "queued",
      attempt: Number(attempt),
      position: Number(position),
      admitted: admitted.map(String),
    };
  }

  /** Frees the task's slot (if it held one) and admits whoever is next; returns the ids admitted. */
  async release(repoId: number, taskId = ""): Promise<string[]> {
    const now = JSON.stringify(new Date().toISOString());
    return (await this.redis.eval(
      RELEASE,
      3,
      this.keys.running(repoId),
      this.keys.waiting(repoId),
      this.keys.limit(repoId),
      taskId,
      this.keys.taskPrefix,
      now,
    )) as string[];
  }

  /** Tasks holding a slot in the repository, for the reconciler. */
  async holding(repoId: number): Promise<string[]> {
    return this.redis.smembers(this.keys.running(repoId));
  }

  async repositories(): Promise<number[]> {
    return (await this.redis.smembers(this.keys.repos)).map(Number);
  }
}
