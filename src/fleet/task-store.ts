import type { Redis } from "ioredis";
import type { Keys } from "./keys.js";
import type { Task } from "./task.js";

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
    const fields = await this.redis.hgetall(this.keys.task(id));
    if (Object.keys(fields).length === 0) return undefined;
    return Object.fromEntries(
      Object.entries(fields).map(([key, value]) => [key, JSON.parse(value)]),
    ) as unknown as Task;
  }

  /** Sets the given fields (undefined removes one) and bumps the version; returns the record after. */
  async update(id: string, patch: Partial<Omit<Task, "id" | "version">>): Promise<Task> {
    const key = this.keys.task(id);
    const set: string[] = [];
    const remove: string[] = [];
    for (const [field, value] of Object.entries({ ...patch, updatedAt: new Date().toISOString() })) {
      if (value === undefined) remove.push(field);
      else set.push(field, JSON.stringify(value));
    }
    const multi = this.redis.multi().hset(key, ...set);
    if (remove.length > 0) multi.hdel(key, ...remove);
    await multi.hincrby(key, "version", 1).exec();
    const task = await this.get(id);
    if (!task) throw new Error(`task ${id} vanished while being updated`);
    return task;
  }
}
