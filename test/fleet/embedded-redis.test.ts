import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { Redis } from "ioredis";
import { type EmbeddedRedis, startEmbeddedRedis } from "../../src/fleet/embedded-redis.js";

// The Redis `npm start` brings when REDIS_URL is unset: private, on a socket, and keeping what was queued.

let dir: string;
const started: EmbeddedRedis[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flotilla-embedded-"));
});
afterEach(async () => {
  for (const redis of started.splice(0)) await redis.stop();
  await rm(dir, { recursive: true, force: true });
});

async function start(): Promise<EmbeddedRedis> {
  const redis = await startEmbeddedRedis(join(dir, "redis"));
  started.push(redis);
  return redis;
}

async function withClient<T>(path: string, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ path });
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}

describe("the embedded redis-server", () => {
  it("answers on its socket, and keeps what was written across a restart", async () => {
    const first = await start();
    await withClient(first.path, (c) => c.set("flotilla:probe", "kept"));
    await first.stop();

    const second = await start();
    expect(second.path).toBe(first.path);
    expect(await withClient(second.path, (c) => c.get("flotilla:probe"))).toBe("kept");
    expect(await withClient(second.path, (c) => c.config("GET", "maxmemory-policy"))).toEqual([
      "maxmemory-policy",
      "noeviction",
    ]);
  });

  it("refuses a data dir another running Flotilla is using", async () => {
    await start();
    await expect(start()).rejects.toThrow(
      /another Flotilla \(pid \d+\) is already using .*stop it or set DATA_DIR/,
    );
  });

  it("takes over the Redis a killed Flotilla left running, with its data", async () => {
    const orphan = await start();
    await withClient(orphan.path, (c) => c.set("flotilla:probe", "queued before the crash"));
    // Its owner died without stopping it (SIGKILL): the pid on record is of a process that has exited.
    const dead = spawnSync("true").pid;
    await writeFile(join(dir, "redis", "owner.pid"), String(dead));

    const next = await start();
    expect(await withClient(next.path, (c) => c.get("flotilla:probe"))).toBe("queued before the crash");
  });
});
