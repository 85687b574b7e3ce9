import { afterAll, afterEach, beforeAll, beforeEach } from "@jest/globals";
import type { Redis } from "ioredis";
import { type Fleet, openFleet } from "../../src/fleet/fleet.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";

/**
 * A private redis-server for the test file and a fresh fleet (its own key prefix) for each test: call at the
 * top of a file, and read the fleet through the returned function inside tests.
 */
export function useFleet(name: string): { fleet(): Fleet; connection(): Redis; connect(): Redis } {
  let redis: TestRedis;
  let connection: Redis;
  let fleet: Fleet | undefined;
  let prefix = 0;
  beforeAll(async () => {
    redis = await startRedis();
    connection = redis.connect();
  });
  afterAll(() => redis.stop());
  beforeEach(() => {
    fleet = openFleet(connection, `${name}${++prefix}`);
  });
  afterEach(() => fleet?.close());
  return {
    fleet: () => {
      if (!fleet) throw new Error("useFleet: the fleet exists only inside a test");
      return fleet;
    },
    connection: () => connection,
    /** Another connection, as another process would have. */
    connect: () => redis.connect(),
  };
}
