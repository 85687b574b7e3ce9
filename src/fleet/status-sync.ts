import { randomUUID } from "node:crypto";
import type { GitHub } from "../github/octokit.js";
import { withRetries } from "../github/with-retries.js";
import { renderStatusComment, upsertStatusComment } from "../publish/status-comment.js";
import type { Fleet } from "./fleet.js";
import { syncRaceComment } from "./race/sync-race-comment.js";
import { statusView } from "./status-view.js";

const LOCK_TTL_MS = 30_000;
const LOCK_POLL_MS = 50;

// Deletes the lock only if it is still ours (it may have expired and been taken by another writer).
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Brings a task's status comment up to date with its record. Writers take turns (a Redis lock per task) and
 * each renders the record as it is once it has the lock, so whichever edit lands last shows the latest state:
 * a slow "queued" can never overwrite "running". A race's candidate is shown in the race's comment instead.
 */
export async function syncStatusComment(fleet: Fleet, gh: GitHub, taskId: string): Promise<void> {
  const raceId = (await fleet.store.get(taskId))?.race?.id;
  if (raceId) return syncRaceComment(fleet, gh, raceId);
  await withCommentLock(fleet, taskId, async () => {
    const task = await fleet.store.get(taskId);
    if (!task) return;
    const body = renderStatusComment(task.id, statusView(task));
    if (task.commentId && body === task.commentBody) return;
    const { id } = await withRetries(() =>
      upsertStatusComment(gh, {
        owner: task.repo.owner,
        repo: task.repo.name,
        issue: task.issue,
        taskId: task.id,
        ...(task.commentId ? { commentId: task.commentId } : {}),
        body,
      }),
    );
    await fleet.store.update(taskId, { commentId: id, commentBody: body });
  });
}

/** Runs `edit` while holding the comment lock of `id` (a task's or a race's), so edits of it take turns. */
export async function withCommentLock(fleet: Fleet, id: string, edit: () => Promise<void>): Promise<void> {
  const lockKey = fleet.keys.commentLock(id);
  const token = randomUUID();
  const deadline = Date.now() + LOCK_TTL_MS;
  while (!(await fleet.redis.set(lockKey, token, "PX", LOCK_TTL_MS, "NX"))) {
    // A holder that died leaves the lock to expire; waiting out its TTL is the worst case.
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
  try {
    await edit();
  } finally {
    await fleet.redis.eval(UNLOCK, 1, lockKey, token);
  }
}
