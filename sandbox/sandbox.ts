import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stopCi } from "./ci/executor.js";
import { Faults, seededRandom } from "./http/faults.js";
import { Meter } from "./http/metering.js";
import { createServer } from "./http/server.js";
import { bindScript, type Script } from "./scripting/index.js";
import { Store } from "./state/store.js";
import { Webhooks } from "./webhooks/webhooks.js";

export interface SandboxOptions {
  /** Where repositories live on disk; a fresh temp folder (removed on stop) when omitted. */
  dataDir?: string;
  /** Seed for fault rates and dropped deliveries, so a run can be repeated. Default 1. */
  seed?: number;
  /**
   * Check every JSON response against GitHub's schema for it and answer 500 with the problems when one
   * does not conform. On by default (tests and the demo); benchmarks may turn it off. Default true.
   */
  validateResponses?: boolean;
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
}

/**
 * A local stand-in for GitHub: REST API (validated against GitHub's OpenAPI description), real git
 * repositories, signed webhooks, and a scripting API to play the people and the CI around an App.
 */
export class Sandbox {
  readonly store = new Store();
  readonly faults: Faults;
  readonly meter = new Meter();
  readonly webhooks: Webhooks;
  /** The scripting API: create repositories, users and issues, act as people and as CI. */
  readonly script: Script;
  readonly random: () => number;
  readonly validateResponses: boolean;
  /** Problems found by response validation, kept so a test can assert there were none. */
  readonly responseProblems: { route: string; status: number; problems: string[] }[] = [];
  dataDir = "";
  baseUrl = "";
  private server: Server | undefined;
  private ownsDataDir = false;

  private constructor(private readonly options: SandboxOptions) {
    const seed = options.seed ?? 1;
    this.faults = new Faults(seed);
    this.random = seededRandom(seed + 1);
    this.validateResponses = options.validateResponses ?? true;
    this.webhooks = new Webhooks(this);
    this.script = bindScript(this);
  }

  static async start(options: SandboxOptions = {}): Promise<Sandbox> {
    const sandbox = new Sandbox(options);
    await sandbox.listen();
    return sandbox;
  }

  private async listen(): Promise<void> {
    if (this.options.dataDir) {
      this.dataDir = this.options.dataDir;
    } else {
      this.dataDir = await mkdtemp(join(tmpdir(), "flotilla-sandbox-"));
      this.ownsDataDir = true;
    }
    const server = createServer(this);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port ?? 0, "127.0.0.1", () => resolve());
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  /**
   * Kills CI commands in flight (their check runs end `cancelled`), waits for background CI work and
   * webhook deliveries in flight, closes the server and removes its temp data.
   */
  async stop(): Promise<void> {
    await stopCi(this);
    await this.webhooks.settled();
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    if (this.ownsDataDir) await rm(this.dataDir, { recursive: true, force: true });
  }
}
