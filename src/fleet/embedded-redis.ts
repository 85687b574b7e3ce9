import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Redis } from "ioredis";

export interface EmbeddedRedis {
  /** The Unix socket it listens on (no TCP port: nothing else on the host can reach it by accident). */
  path: string;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 15_000;

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
  const ownerFile = join(root, "owner.pid");
  if (existsSync(path) && (await answers(path))) {
    // 1. A Redis is already there: another Flotilla's, or the orphan of one that was killed (SIGKILL, OOM),
    //    which outlives it. An orphan is shut down (its append-only file is synced) and started again here.
    const owner = Number(await readFile(ownerFile, "utf8").catch(() => "0"));
    if (owner > 0 && isAlive(owner)) {
      throw new Error(
        `another Flotilla (pid ${owner}) is already using ${root} (its Redis answers on ${path}); stop it or set DATA_DIR`,
      );
    }
    await shutDown(path);
  }
  await writeFile(ownerFile, String(process.pid));
  const args = ["--port", "0", "--unixsocket", path, "--unixsocketperm", "700", "--dir", root];
  args.push("--appendonly", "yes", "--save", "", "--maxmemory-policy", "noeviction");
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  // Ready when it answers on its socket: the log line that says so differs between Redis versions.
  const exited = new Promise<never>((_, fail) => {
    child.once("error", (error) =>
      fail((error as NodeJS.ErrnoException).code === "ENOENT" ? new Error(INSTALL_HINT) : error),
    );
    child.once("exit", (code) => fail(new Error(`redis-server exited with code ${code}:\n${log}`)));
  });
  exited.catch(() => {});
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    const up = await Promise.race([existsSync(path) ? answers(path) : Promise.resolve(false), exited]);
    if (up) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(
        `redis-server did not answer on ${path} within ${STARTUP_TIMEOUT_MS / 1000} s:\n${log}`,
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    path,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((done) => child.once("exit", done));
      child.kill("SIGTERM");
      await gone;
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Asks the Redis on `path` to save and exit, and waits until it no longer answers. */
async function shutDown(path: string): Promise<void> {
  const client = new Redis({ path, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on("error", () => {});
  // The reply never comes: the connection closes as the server exits (after syncing its append-only file).
  await client.shutdown().catch(() => {});
  client.disconnect();
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (await answers(path)) {
    if (Date.now() > deadline)
      throw new Error(`the Redis left on ${path} did not shut down; stop it by hand`);
    await new Promise((r) => setTimeout(r, 25));
  }
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
