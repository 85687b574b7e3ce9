import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { startRedis, type TestRedis } from "../helpers/redis.js";

describe("the private test redis", () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it("runs on its own port, not the shared 6379, with noeviction and no persistence", async () => {
    expect(redis.port).not.toBe(6379);
    const client = redis.connect();
    await client.set("k", "v");
    expect(await client.get("k")).toBe("v");
    expect(await client.config("GET", "maxmemory-policy")).toEqual(["maxmemory-policy", "noeviction"]);
    expect(await client.config("GET", "appendonly")).toEqual(["appendonly", "no"]);
    expect(await client.config("GET", "save")).toEqual(["save", ""]);
  });
});

describe("the test redis helper without redis-server", () => {
  it("fails with a message that says how to install it", async () => {
    await expect(startRedis({ binary: "redis-server-that-is-not-installed" })).rejects.toThrow(
      "sudo apt-get install -y redis-server",
    );
  });
});
