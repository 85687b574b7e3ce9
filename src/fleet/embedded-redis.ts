import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Redis } from "ioredis";

export interface EmbeddedRedis {
  /** The Unix socket it listens on (no TCP port: nothing else on the host can reach it by accident). */
  path: string;
  stop(): Promise<void>;
}

const INSTALL_HINT =
  "Flotilla starts its own redis-server when REDIS_URL is unset, but none is installed. Install it " +
  "(Debian/Ubuntu: `sudo apt-get install -y redis-server`; macOS: `brew install redis`) or set REDIS_URL.";

/**
 * The embedded default for small setups: a private redis-server with its data in `dir` (append-only file,
 * so queued tasks survive a restart), `noeviction` as BullMQ requires, reachable only through a socket.
 */
export async function startEmbeddedRedis(dir: string): Promise<EmbeddedRedis> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true, mode: 0o700 });
  const path = join(root, "redis.sock");
  if (existsSync(path) && (await answers(path))) {
    throw new Error(
      `another Flotilla is already using ${root} (its Redis answers on ${path}); stop it or set DATA_DIR`,
    );
  }
  const args = ["--port", "0", "--unixsocket", path, "--unixsocketperm", "700", "--dir", root];
  args.push("--appendonly", "yes", "--save", "", "--maxmemory-policy", "noeviction");
  let child: ChildProcess;
  let log = "";
  await new Promise<void>((ready, fail) => {
    child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    child.once("error", (error) =>
      fail((error as NodeJS.ErrnoException).code === "ENOENT" ? new Error(INSTALL_HINT) : error),
    );
    child.once("exit", (code) =>
      fail(new Error(`redis-server exited with code ${code}:\n${log.slice(-2000)}`)),
    );
    child.stdout?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes("Ready to accept connections")) ready();
    });
  });
  return {
    path,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

async function answers(path: string): Promise<boolean> {
  const probe = new Redis({ path, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}
