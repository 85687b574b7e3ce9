import { Redis, type RedisOptions } from "ioredis";

/** Where Redis is: a URL (`redis://`, `rediss://`) or the embedded server's socket. */
export type RedisTarget = { url: string } | { path: string };

/**
 * A connection for code that answers a webhook. Commands fail at once while Redis is unreachable (no offline
 * queue, one try), so the handler errors and GitHub sees a failed delivery it can redeliver, instead of
 * waiting past GitHub's timeout and losing the event behind a 202.
 */
export async function connectForWebhooks(target: RedisTarget): Promise<Redis> {
  return ready(open(target, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5_000 }));
}

/** A connection for workers: commands wait through reconnects (BullMQ requires `maxRetriesPerRequest: null`). */
export async function connectForWorkers(target: RedisTarget): Promise<Redis> {
  return ready(open(target, { maxRetriesPerRequest: null }));
}

function open(target: RedisTarget, options: RedisOptions): Redis {
  return "url" in target ? new Redis(target.url, options) : new Redis({ ...options, path: target.path });
}

async function ready(redis: Redis): Promise<Redis> {
  if (redis.status === "ready") return redis;
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error) => {
      redis.disconnect();
      reject(new Error(`cannot reach Redis: ${error.message}`));
    };
    redis.once("ready", () => {
      redis.off("error", fail);
      resolve();
    });
    redis.once("error", fail);
  });
  return redis;
}

/** Closes a connection: politely when Redis is there, at once when it is not (quit would wait for it). */
export async function closeConnection(redis: Redis): Promise<void> {
  if (redis.status === "ready") await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
}
