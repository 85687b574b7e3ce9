import type { AgentConfig } from "../app/config/schema.js";
import type { Fleet } from "./fleet.js";
import type { IterationFeedback, JudgeSettings } from "./task.js";

/**
 * People's feedback on a task's pull request (`/agent …` comments, reviews) waits here until an iteration
 * takes it: the one it started, if the task was idle, or the next one once the run in progress ends. So
 * feedback given during a run is never dropped, and several comments become one iteration, not one each.
 */
export interface PendingFeedback extends IterationFeedback {
  id: string;
  author: string;
  /** When it was given (ISO 8601). */
  at: string;
  /**
   * `/agent use <agent>`: that agent takes over, with its settings from the config at the time, and the judge
   * for its work (none: judging is off).
   */
  agent?: { name: string; settings: AgentConfig; judge?: JudgeSettings };
}

/** A redelivered webhook is recognised this long after the first (GitHub redelivers within days). */
const SEEN_TTL_SECONDS = 14 * 24 * 3600;

// KEYS: list, seen set. ARGV: id, item (JSON), ttl. Added once per id, however often it is delivered.
const ADD = `
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('RPUSH', KEYS[1], ARGV[2])
return 1
`;

// KEYS: list. ARGV: ids. Removes the items with those ids, wherever they are: idempotent.
const DROP = `
local drop = {}
for i = 1, #ARGV do drop[ARGV[i]] = true end
local removed = 0
for _, item in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  if drop[cjson.decode(item).id] then removed = removed + redis.call('LREM', KEYS[1], 1, item) end
end
return removed
`;

/** Adds feedback for the task's next iteration; false when this id was added before (a redelivery). */
export async function addFeedback(fleet: Fleet, taskId: string, item: PendingFeedback): Promise<boolean> {
  const { keys } = fleet;
  const added = await fleet.redis.eval(
    ADD,
    2,
    keys.feedback(taskId),
    keys.feedbackSeen(taskId),
    item.id,
    JSON.stringify(item),
    SEEN_TTL_SECONDS,
  );
  return added === 1;
}

/** The feedback no iteration has taken yet, oldest first. */
export async function pendingFeedback(fleet: Fleet, taskId: string): Promise<PendingFeedback[]> {
  const items = await fleet.redis.lrange(fleet.keys.feedback(taskId), 0, -1);
  return items.map((item) => JSON.parse(item) as PendingFeedback);
}

/** Removes the feedback with these ids (an iteration took it, or a stop discarded it). */
export async function dropFeedback(fleet: Fleet, taskId: string, ids: string[]): Promise<void> {
  if (ids.length > 0) await fleet.redis.eval(DROP, 1, fleet.keys.feedback(taskId), ...ids);
}

/** Discards all waiting feedback (`/agent stop`); returns how much there was. */
export async function clearFeedback(fleet: Fleet, taskId: string): Promise<number> {
  const pending = await pendingFeedback(fleet, taskId);
  await dropFeedback(
    fleet,
    taskId,
    pending.map((p) => p.id),
  );
  return pending.length;
}
