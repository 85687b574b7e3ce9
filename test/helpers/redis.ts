import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "../../scripts/free-port.js";

export { freePort };

export interface TestRedis {
  port: number;
  url: string;
  /** A new connection configured as BullMQ needs it; closed by stop(). */
  connect(): Redis;
  stop(): Promise<void>;
}

const INSTALL_HINT =
  "redis-server is not installed. Install it (Debian/Ubuntu: `sudo apt-get install -y redis-server`; macOS: `brew install redis`) and run the tests again.";

/**
 * Starts a private redis-server on a free loopback port (never the shared one on 6379), with no persistence
 * unless asked, and `maxmemory-policy noeviction` as BullMQ requires. Call stop() in afterAll.
 */
export async function startRedis(
  options: {
    persistence?: boolean;
    /** The server binary; default `redis-server` on PATH. */
    binary?: string;
    /** A port to listen on (to bring a stopped server back where its clients look); default a free one. */
    port?: number;
  } = {},
): Promise<TestRedis> {
  const binary = options.binary ?? "redis-server";
  if (spawnSync(binary, ["--version"]).error) throw new Error(INSTALL_HINT);
  const dir = await mkdtemp(join(tmpdir(), "flotilla-redis-"));
  const port = options.port ?? (await freePort());
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--maxmemory-policy",
    "noeviction",
    ...(options.persistence ? ["--appendonly", "yes"] : ["--save", "", "--appendonly", "no"]),
  ];
  const child: ChildProcess = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`redis-server did not start on port ${port}:\n${log}`)),
      10_000,
    );
    const check = () => {
      if (log.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with code ${code}:\n${log}`));
    });
  });
  const connections: Redis[] = [];
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    connect() {
      const connection = new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: null });
      connections.push(connection);
      return connection;
    },
    async stop() {
      await Promise.all(
        connections.map((c) =>
          c.status === "ready" ? c.quit().catch(() => c.disconnect()) : c.disconnect(),
        ),
      );
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
