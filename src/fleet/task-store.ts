import type { Redis } from "ioredis";
import type { Keys } from "./keys.js";
import type { Review, Task, TaskState } from "./task.js";
import { NOTE_STATE, NOTE_STATE_LUA } from "./task-timeline.js";

// KEYS: task. ARGV: states (JSON array of JSON-encoded states), attempt (0: any), dispatch (0: any; -1: no
// run recorded yet), '1' when no stop may have been asked for, the review's sha ('' for any, '-' for none
// recorded), stage ('' for any) and judge check run id ('' for any), then field, value pairs.
const UPDATE_IF = `${NOTE_STATE_LUA}
local state = redis.call('HGET', KEYS[1], 'state')
local allowed = false
for _, s in ipairs(cjson.decode(ARGV[1])) do
  if state == s then allowed = true end
end
if not allowed then return 0 end
if ARGV[2] ~= '0' and redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[2] then return 0 end
local run = redis.call('HGET', KEYS[1], 'run')
if ARGV[3] == '-1' then
  if run then return 0 end
elseif ARGV[3] ~= '0' then
  if not run or tostring(cjson.decode(run).dispatch) ~= ARGV[3] then return 0 end
end
if ARGV[4] == '1' and redis.call('HEXISTS', KEYS[1], 'cancel') == 1 then return 0 end
local review = redis.call('HGET', KEYS[1], 'review')
if ARGV[5] == '-' then
  if review then return 0 end
elseif ARGV[5] ~= '' then
  if not review then return 0 end
  review = cjson.decode(review)
  if review.sha ~= ARGV[5] then return 0 end
  if ARGV[6] ~= '' and review.stage ~= ARGV[6] then return 0 end
  if ARGV[7] ~= '' and tostring(review.judgeCheckId) ~= ARGV[7] then return 0 end
end
redis.call('HSET', KEYS[1], unpack(ARGV, 8))
redis.call('HINCRBY', KEYS[1], 'version', 1)
local moved, at
for i = 8, #ARGV - 1, 2 do
  if ARGV[i] == 'state' then moved = ARGV[i + 1] end
  if ARGV[i] == 'updatedAt' then at = ARGV[i + 1] end
end
if moved then note_state(KEYS[1], moved, at, '') end
return 1
`;

/** A task hash as Redis returns it (one JSON value per field), or undefined for an empty or missing one. */
export function parseTask(fields: Record<string, string>): Task | undefined {
  if (Object.keys(fields).length === 0) return undefined;
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [key, JSON.parse(value)]),
  ) as unknown as Task;
}

/** What a conditional update requires of the record: its state, and optionally more. */
export interface UpdateCondition {
  states: readonly TaskState[];
  attempt?: number;
  /** The workflow run's dispatch (`run.dispatch`), for the actions backend; `"none"`: no run recorded yet. */
  dispatch?: number | "none";
  /** No stop has been asked for (`cancel` unset). */
  notCancelled?: boolean;
  /** The judge's work is on this head (null: on none yet), and at this stage: a newer head supersedes it. */
  review?: { sha: string | null; stage?: Review["stage"]; judgeCheckId?: number };
}

/**
 * Task records in Redis: one hash per task, one JSON value per field. Writers set only the fields they own
 * (the worker the state, the status comment its id), so concurrent writers never undo each other.
 */
export class TaskStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async get(id: string): Promise<Task | undefined> {
    return parseTask(await this.redis.hgetall(this.keys.task(id)));
  }

  /**
   * Sets the given fields only while the record is as `when` says, in one step: a late webhook, or a job for
   * a dispatch or an attempt that was superseded, must not move a task back. Returns the record after, or
   * undefined when it was not so. Fields set to undefined are left as they are.
   */
  async updateIf(
    id: string,
    when: UpdateCondition,
    patch: Partial<Omit<Task, "id" | "version">>,
  ): Promise<Task | undefined> {
    const fields = Object.entries({ ...patch, updatedAt: new Date().toISOString() }).flatMap(
      ([field, value]) => (value === undefined ? [] : [field, JSON.stringify(value)]),
    );
    const done = await this.redis.eval(
      UPDATE_IF,
      1,
      this.keys.task(id),
      JSON.stringify(when.states.map((state) => JSON.stringify(state))),
      String(when.attempt ?? 0),
      when.dispatch === "none" ? "-1" : String(when.dispatch ?? 0),
      when.notCancelled ? "1" : "0",
      when.review === undefined ? "" : (when.review.sha ?? "-"),
      when.review?.stage ?? "",
      when.review?.judgeCheckId === undefined ? "" : String(when.review.judgeCheckId),
      ...fields,
    );
    return done === 1 ? this.get(id) : undefined;
  }

  /** Sets the given fields (undefined removes one) and bumps the version; returns the record after. */
  async update(id: string, patch: Partial<Omit<Task, "id" | "version">>): Promise<Task> {
    const key = this.keys.task(id);
    const set: string[] = [];
    const remove: string[] = [];
    const now = new Date().toISOString();
    for (const [field, value] of Object.entries({ ...patch, updatedAt: now })) {
      if (value === undefined) remove.push(field);
      else set.push(field, JSON.stringify(value));
    }
    const multi = this.redis.multi().hset(key, ...set);
    if (remove.length > 0) multi.hdel(key, ...remove);
    multi.hincrby(key, "version", 1);
    if (patch.state) multi.eval(NOTE_STATE, 1, key, JSON.stringify(patch.state), JSON.stringify(now), "");
    await multi.exec();
    const task = await this.get(id);
    if (!task) throw new Error(`task ${id} vanished while being updated`);
    return task;
  }
}
