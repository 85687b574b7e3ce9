import type { Redis } from "ioredis";
import { FleetMetrics } from "./fleet-metrics.js";
import { Keys } from "./keys.js";
import { openQueues, type Queues } from "./queues.js";
import { Scheduler } from "./scheduler.js";
import { TaskStore } from "./task-store.js";

/** What both the app and the workers share: the task records, the per-repository slots and the queues. */
export interface Fleet {
  redis: Redis;
  keys: Keys;
  store: TaskStore;
  scheduler: Scheduler;
  queues: Queues;
  metrics: FleetMetrics;
  close(): Promise<void>;
}

/**
 * @param prefix namespaces every key, so several Flotillas (or tests) can share one Redis.
 * @param onError receives the queues' connection errors (for the log).
 */
export function openFleet(
  redis: Redis,
  prefix = "flotilla",
  onError?: (error: Error) => void,
  /** Runs at once across one installation's repositories. @defaultValue DEFAULT_PER_INSTALLATION */
  perInstallation?: number,
): Fleet {
  const keys = new Keys(prefix);
  const queues = openQueues(redis, prefix, onError);
  return {
    redis,
    keys,
    store: new TaskStore(redis, keys),
    scheduler: new Scheduler(redis, keys, perInstallation),
    queues,
    metrics: new FleetMetrics(redis, keys),
    close: () => queues.close(),
  };
}
