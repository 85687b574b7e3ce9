import type { Redis } from "ioredis";
import type { Keys } from "./keys.js";
import { ACTIVE_STATES, SLOT_STATES, type Task } from "./task.js";
import { NOTE_STATE_LUA } from "./task-timeline.js";

/**
 * Slots, kept in Redis so every app and worker process shares them: per repository (its config's
 * `concurrency.perRepo`) and per installation (`INSTALLATION_CONCURRENCY`). A task first waits in one of its
 * repository's three lanes (priority high, normal, low; arrival order within each; it holds no worker slot
 * and no lock there), and is admitted, i.e. moved into the repository's and the installation's running sets
 * and handed to the run queue, while both have room. The installation's repositories take turns (the one
 * served least recently goes first), so a busy repository cannot starve the others. Each step is one Lua script, so two processes
 * can never admit past a limit or admit the same task twice. (Key names are built in the scripts, so one
 * Redis, not a Redis Cluster.)
 */

/** A Lua table used as a set of states, JSON-encoded as the task hashes store them: one list, in task.ts. */
function luaStateSet(states: readonly string[]): string {
  return `({${states.map((state) => `['${JSON.stringify(state)}'] = true`).join(", ")}})`;
}

/** Where a task waits: `priority:high`, the rest, `priority:low` (the config names the labels). */
export type Lane = "high" | "normal" | "low";

// Every script's ARGV starts with: key prefix, the installation limit, now (JSON). The key names below are
// the ones keys.ts gives.
const ADMIT = `${NOTE_STATE_LUA}
local P, INSTALLATION_LIMIT, NOW = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local LANES = {'high', 'normal', 'low'}
local function lane_key(repo, lane)
  local base = P .. ':repo:' .. repo .. ':waiting'
  if lane == 'normal' then return base end
  return base .. ':' .. lane
end
local function waiting_count(repo)
  local n = 0
  for _, lane in ipairs(LANES) do n = n + redis.call('LLEN', lane_key(repo, lane)) end
  return n
end
-- The next task of the repository still queued, by lane; ids of tasks cancelled while they waited are dropped.
local function pop_queued(repo)
  for _, lane in ipairs(LANES) do
    while true do
      local id = redis.call('LPOP', lane_key(repo, lane))
      if not id then break end
      if redis.call('HGET', P .. ':task:' .. id, 'state') == '"queued"' then return id end
    end
  end
  return nil
end
-- An installation's repositories with tasks waiting, each scored with the turn it was last served (kept in
-- 'served' while it has nothing waiting, so leaving and coming back does not jump the line).
local function waiting_repos(inst) return P .. ':installation:' .. inst .. ':turns' end
local function mark_waiting(inst, repo)
  local served = redis.call('HGET', P .. ':installation:' .. inst .. ':served', repo) or 0
  redis.call('ZADD', waiting_repos(inst), 'NX', served, repo)
end
-- Admits while the installation has room, one task at a time, each to the repository served least recently
-- (never served first) among those with a task waiting and a slot of their own free: the repositories take
-- turns, so a busy one cannot starve the others. The task remembers which installation's slot it holds.
local function admit(inst)
  local admitted = {}
  local inst_running = P .. ':installation:' .. inst .. ':running'
  local turns = waiting_repos(inst)
  while redis.call('SCARD', inst_running) < INSTALLATION_LIMIT do
    local served = false
    for _, repo in ipairs(redis.call('ZRANGE', turns, 0, -1)) do
      local running = P .. ':repo:' .. repo .. ':running'
      local limit = tonumber(redis.call('GET', P .. ':repo:' .. repo .. ':limit') or '1')
      if redis.call('SCARD', running) < limit then
        local id = pop_queued(repo)
        if id then
          local key = P .. ':task:' .. id
          -- A rerun admitted while its earlier attempt still holds a slot elsewhere takes that one over.
          local before = redis.call('HGET', key, 'slotInstallation')
          if before and cjson.decode(before) ~= inst then
            redis.call('SREM', P .. ':installation:' .. cjson.decode(before) .. ':running', id)
          end
          redis.call('SADD', running, id)
          redis.call('SADD', inst_running, id)
          redis.call('HSET', key, 'state', '"dispatched"', 'updatedAt', NOW, 'slotInstallation', cjson.encode(inst))
          redis.call('HINCRBY', key, 'version', 1)
          note_state(key, '"dispatched"', NOW, '')
          table.insert(admitted, id)
          local turn = redis.call('INCR', P .. ':installation:' .. inst .. ':turn')
          redis.call('HSET', P .. ':installation:' .. inst .. ':served', repo, turn)
          if waiting_count(repo) > 0 then redis.call('ZADD', turns, turn, repo) else redis.call('ZREM', turns, repo) end
          served = true
          break
        elseif waiting_count(repo) == 0 then
          redis.call('ZREM', turns, repo)
        end
      end
    end
    if not served then break end
  end
  return admitted
end
-- Records made before installations had slots: the repository on its own.
local function installation_of(repo)
  return redis.call('GET', P .. ':repo:' .. repo .. ':installation') or ('repo-' .. repo)
end
`;

// Fields a new attempt starts without; the branch, PR and status comment carry over, so a rerun updates them.
const PER_ATTEMPT_FIELDS = [
  "error",
  "waitingFor",
  "outputTail",
  "usage",
  "startedAt",
  "finishedAt",
  "durationMs",
  "position",
  "baseSha",
  "commitSha",
  "partial",
  "prTitle",
  "prBody",
  "run",
  "cancel",
  "iteration",
  "autoRounds",
  "race",
];

// KEYS: delivery, task, repos. ARGV (after ADMIT's): delivery ttl (0 = none), perRepo, fields (JSON object of
// field -> JSON text), task id, repo id, per-attempt fields (JSON array), installation id, lane.
const ENQUEUE = `${ADMIT}
local TTL, PER_REPO, FIELDS, ID, REPO, RESET, INST, LANE = ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11]
if tonumber(TTL) > 0 and not redis.call('SET', KEYS[1], '1', 'NX', 'EX', TTL) then
  return {'duplicate-delivery'}
end
local state = redis.call('HGET', KEYS[2], 'state')
if state and ${luaStateSet(ACTIVE_STATES)}[state] then
  return {'active', cjson.decode(state), redis.call('HEXISTS', KEYS[2], 'cancel')}
end
local attempt = tonumber(redis.call('HGET', KEYS[2], 'attempt') or '0') + 1
local created = redis.call('HGET', KEYS[2], 'createdAt') or NOW
for _, field in ipairs(cjson.decode(RESET)) do redis.call('HDEL', KEYS[2], field) end
for field, value in pairs(cjson.decode(FIELDS)) do redis.call('HSET', KEYS[2], field, value) end
redis.call('HSET', KEYS[2], 'id', cjson.encode(ID), 'state', '"queued"', 'attempt', attempt,
  'createdAt', created, 'updatedAt', NOW, 'queuedAt', NOW)
redis.call('HINCRBY', KEYS[2], 'version', 1)
note_state(KEYS[2], '"queued"', NOW, '')
redis.call('RPUSH', lane_key(REPO, LANE), ID)
redis.call('SET', P .. ':repo:' .. REPO .. ':limit', PER_REPO)
-- A repository that moved to another installation (reinstalled, transferred) takes its turns there now.
local moved_from = redis.call('GET', P .. ':repo:' .. REPO .. ':installation')
if moved_from and moved_from ~= INST then redis.call('ZREM', waiting_repos(moved_from), REPO) end
redis.call('SET', P .. ':repo:' .. REPO .. ':installation', INST)
redis.call('SADD', KEYS[3], REPO)
mark_waiting(INST, REPO)
local admitted = admit(INST)
-- Its place in the repository's line: the tasks ahead of it in its lane and in the lanes before it.
local position = 0
local at = redis.call('LPOS', lane_key(REPO, LANE), ID)
if at then
  position = at + 1
  for _, lane in ipairs(LANES) do
    if lane == LANE then break end
    position = position + redis.call('LLEN', lane_key(REPO, lane))
  end
  redis.call('HSET', KEYS[2], 'position', position)
end
return {'queued', attempt, position, unpack(admitted)}
`;

// ARGV (after ADMIT's): repo id, task id (or '' to only admit).
// A finished attempt keeps its slots until it releases them. If a rerun was admitted in between, the slots
// are already the new attempt's (admitting it added nothing to the sets), so the old attempt leaves them.
const RELEASE = `${ADMIT}
local REPO, ID = ARGV[4], ARGV[5]
local inst = installation_of(REPO)
if ID ~= '' then
  local key = P .. ':task:' .. ID
  local state = redis.call('HGET', key, 'state')
  if not (state and ${luaStateSet(SLOT_STATES)}[state]) then
    redis.call('SREM', P .. ':repo:' .. REPO .. ':running', ID)
    -- The installation whose slot it was given, which need not be the repository's now.
    local slot = redis.call('HGET', key, 'slotInstallation')
    redis.call('SREM', P .. ':installation:' .. (slot and cjson.decode(slot) or inst) .. ':running', ID)
  end
end
-- A repository with tasks waiting takes turns (records from before installations had slots too).
if waiting_count(REPO) > 0 then mark_waiting(inst, REPO) end
return admit(inst)
`;

// ARGV (after ADMIT's): repo id, task id, lane. A task still waiting moves to the back of another lane.
const REPRIORITIZE = `${ADMIT}
local REPO, ID, LANE = ARGV[4], ARGV[5], ARGV[6]
local key = P .. ':task:' .. ID
if redis.call('HGET', key, 'state') ~= '"queued"' then return -1 end
if redis.call('LPOS', lane_key(REPO, LANE), ID) then return -1 end
for _, lane in ipairs(LANES) do redis.call('LREM', lane_key(REPO, lane), 0, ID) end
redis.call('RPUSH', lane_key(REPO, LANE), ID)
local position = redis.call('LPOS', lane_key(REPO, LANE), ID) + 1
for _, lane in ipairs(LANES) do
  if lane == LANE then break end
  position = position + redis.call('LLEN', lane_key(REPO, lane))
end
redis.call('HSET', key, 'position', position, 'updatedAt', NOW)
redis.call('HINCRBY', key, 'version', 1)
return position
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

/** Runs at once across an installation's repositories, unless `INSTALLATION_CONCURRENCY` says otherwise. */
export const DEFAULT_PER_INSTALLATION = 10;

/** How long a delivery id is remembered; GitHub lets people redeliver for 3 days. */
const DELIVERY_TTL_SECONDS = 3 * 24 * 60 * 60;

export class Scheduler {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    /** Runs at once across one installation's repositories. */
    private readonly perInstallation = DEFAULT_PER_INSTALLATION,
  ) {}

  private common(): [string, number, string] {
    return [this.keys.prefix, this.perInstallation, JSON.stringify(new Date().toISOString())];
  }

  /**
   * Records the task (or its next attempt) and puts it in line, unless this delivery was seen or the task is
   * already active. One atomic step: a crash can never leave a delivery marked but its task unrecorded.
   */
  async enqueue(
    draft: TaskDraft,
    perRepo: number,
    deliveryId?: string,
    lane: Lane = "normal",
  ): Promise<EnqueueResult> {
    const { id, repo } = draft;
    const fields = Object.fromEntries(
      Object.entries(draft)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => [key, JSON.stringify(value)]),
    );
    const reply = (await this.redis.eval(
      ENQUEUE,
      3,
      this.keys.delivery(deliveryId ?? "none"),
      this.keys.task(id),
      this.keys.repos,
      ...this.common(),
      deliveryId ? DELIVERY_TTL_SECONDS : 0,
      perRepo,
      JSON.stringify(fields),
      id,
      repo.id,
      JSON.stringify(PER_ATTEMPT_FIELDS),
      draft.installationId,
      lane,
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

  /** Frees the task's slots (if it held them) and admits whoever is next in its installation; returns them. */
  async release(repoId: number, taskId = ""): Promise<string[]> {
    return (await this.redis.eval(RELEASE, 0, ...this.common(), repoId, taskId)) as string[];
  }

  /**
   * Moves a waiting task to another lane (its issue's priority label changed), at that lane's back; returns
   * its new place in the repository's line, or undefined when it is not waiting or already there.
   */
  async reprioritize(repoId: number, taskId: string, lane: Lane): Promise<number | undefined> {
    const position = (await this.redis.eval(
      REPRIORITIZE,
      0,
      ...this.common(),
      repoId,
      taskId,
      lane,
    )) as number;
    return position > 0 ? position : undefined;
  }

  /** Tasks holding a slot in the repository, for the reconciler. */
  /** The repository's slot count as its config last said (1 when never seen). */
  async limitOf(repoId: number): Promise<number> {
    return Number((await this.redis.get(this.keys.limit(repoId))) ?? 1);
  }

  async holding(repoId: number): Promise<string[]> {
    return this.redis.smembers(this.keys.running(repoId));
  }

  async repositories(): Promise<number[]> {
    return (await this.redis.smembers(this.keys.repos)).map(Number);
  }
}
