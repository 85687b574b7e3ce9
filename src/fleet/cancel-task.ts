import type { Fleet } from "./fleet.js";
import { clearFeedback } from "./pending-feedback.js";
import type { RunDeps } from "./run-task.js";
import { SLOT_STATES } from "./task.js";
import { NOTE_STATE_LUA } from "./task-timeline.js";

// KEYS: task, the repository's three waiting lanes. ARGV: cancel (JSON), now (JSON), task id. A queued task (or one waiting
// for the budget) ends at once and leaves its line; one holding a slot gets the request, which its worker, collect
// job or watchdog acts on.
const CANCEL = `${NOTE_STATE_LUA}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'unknown' end
if state == '"queued"' or state == '"waiting-budget"' then
  redis.call('HSET', KEYS[1], 'state', '"cancelled"', 'cancel', ARGV[1], 'finishedAt', ARGV[2], 'updatedAt', ARGV[2])
  redis.call('HINCRBY', KEYS[1], 'version', 1)
  note_state(KEYS[1], '"cancelled"', ARGV[2], cjson.decode(ARGV[1]).reason)
  for i = 2, 4 do redis.call('LREM', KEYS[i], 0, ARGV[3]) end
  return 'cancelled'
end
local holding = {${SLOT_STATES.map((s) => `['${JSON.stringify(s)}'] = true`).join(", ")}}
if holding[state] then
  if not redis.call('HGET', KEYS[1], 'cancel') then
    redis.call('HSET', KEYS[1], 'cancel', ARGV[1], 'updatedAt', ARGV[2])
    redis.call('HINCRBY', KEYS[1], 'version', 1)
    note_state(KEYS[1], state, ARGV[2], 'stop asked: ' .. cjson.decode(ARGV[1]).reason)
  end
  return 'requested'
end
return 'settled'
`;

/**
 * Asks a task to stop: `cancelled` when it was still waiting (it ended there and then), `requested` when
 * it holds a slot (whoever runs it stops it: the local agent is killed, a workflow run cancelled through the
 * API, and nothing is published), `settled` or `unknown` when there is nothing to stop.
 */
export async function requestCancel(
  fleet: Fleet,
  taskId: string,
  repoId: number,
  reason: string,
): Promise<"cancelled" | "requested" | "settled" | "unknown"> {
  const now = new Date().toISOString();
  const result = (await fleet.redis.eval(
    CANCEL,
    4,
    fleet.keys.task(taskId),
    fleet.keys.waiting(repoId, "high"),
    fleet.keys.waiting(repoId, "normal"),
    fleet.keys.waiting(repoId, "low"),
    JSON.stringify({ at: now, reason }),
    JSON.stringify(now),
    taskId,
  )) as "cancelled" | "requested" | "settled" | "unknown";
  if (result === "cancelled" || result === "requested")
    await fleet.queues.updates.add("status", { kind: "status", taskId });
  if (result === "requested") await fleet.queues.updates.add("cancel-run", { kind: "cancel-run", taskId });
  return result;
}

/**
 * A person's stop: discards the feedback waiting for the task's next iteration first (else the run's end would
 * start one), then asks the task to stop.
 */
export async function stopAgent(
  fleet: Fleet,
  taskId: string,
  repoId: number,
  reason: string,
): Promise<{ result: Awaited<ReturnType<typeof requestCancel>>; dropped: number }> {
  const dropped = await clearFeedback(fleet, taskId);
  return { result: await requestCancel(fleet, taskId, repoId, reason), dropped };
}

/** The `cancel-run` update job: a stopped task's workflow run is cancelled; its completion ends the task. */
export async function cancelRun(deps: RunDeps, taskId: string): Promise<void> {
  const task = await deps.fleet.store.get(taskId);
  const backend = deps.backends.actions;
  // Without an id yet, the run job or the watchdog cancels it once it is found.
  if (!task?.run?.id || !backend || !task.cancel) return;
  await backend.cancel(await deps.github(task.installationId), task, task.run.id);
}
