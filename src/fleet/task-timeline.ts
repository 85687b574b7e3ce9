import type { Fleet } from "./fleet.js";
import type { TaskState } from "./task.js";

/** One step in a task's life, as the fleet dashboard shows it. */
export interface TimelineEntry {
  at: string;
  attempt: number;
  state: TaskState;
  /** Why, where there is more to say than the state (a stop asked for, and by whom). */
  note?: string;
}

/** Entries kept per task: enough for every attempt of a busy pull request, bounded all the same. */
export const TIMELINE_LENGTH = 100;

/**
 * Lua for every script that moves a task's state: appends the move to the task's timeline
 * (`<task key>:timeline`), in the same script, so the timeline never misses or invents a move. `state` and
 * `at` are JSON-encoded as the task hash stores them; `note` is plain text or ''.
 */
export const NOTE_STATE_LUA = `
local function note_state(task_key, state, at, note)
  local entry = {at = cjson.decode(at), state = cjson.decode(state),
    attempt = tonumber(redis.call('HGET', task_key, 'attempt') or '1')}
  if note and note ~= '' then entry.note = note end
  redis.call('RPUSH', task_key .. ':timeline', cjson.encode(entry))
  redis.call('LTRIM', task_key .. ':timeline', -${TIMELINE_LENGTH}, -1)
end
`;

/** KEYS: task. ARGV: state (JSON), at (JSON), note. For moves made outside a Lua script of their own. */
export const NOTE_STATE = `${NOTE_STATE_LUA}
note_state(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
`;

/** The task's timeline, oldest first. */
export async function readTimeline(fleet: Fleet, taskId: string): Promise<TimelineEntry[]> {
  const raw = await fleet.redis.lrange(fleet.keys.timeline(taskId), 0, -1);
  return raw.map((entry) => JSON.parse(entry) as TimelineEntry);
}
