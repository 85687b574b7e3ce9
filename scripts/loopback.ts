/**
 * Flotilla and its world on loopback, for the demo and the benchmarks: the GitHub sandbox with one App
 * installed on an organization and one repository, and Flotilla (webhook server and worker, with its embedded
 * redis-server in a temp data dir) receiving the sandbox's webhooks. Nothing leaves the machine.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pino from "pino";
import type { FileChange } from "../sandbox/git/repository.js";
import { Sandbox } from "../sandbox/index.js";
import type { Settings } from "../src/app/settings.js";
import { type Running, startFlotilla } from "../src/flotilla.js";
import { UnthrottledOctokit } from "../src/github/octokit.js";
import { freePort } from "./free-port.js";

/** The scripted test agent (scripts/scripted-agent.mjs), as a repository config names it. */
export function scriptedAgentConfig(name = "scripted", timeout = "60s"): string {
  const agent = resolve(import.meta.dirname, "scripted-agent.mjs");
  return [
    "agents:",
    `  ${name}:`,
    "    adapter: command",
    `    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(agent)}, "{prompt_file}"]`,
    `    timeout: ${timeout}`,
  ].join("\n");
}

/**
 * The scripted agent as a judge, an entry under `agents:`: it runs the first `flotilla-judge` block
 * (which prints a verdict), not the coder's script.
 */
export function scriptedJudgeEntry(name = "scripted-judge", timeout = "60s"): string {
  return scriptedBlockEntry(name, "flotilla-judge", timeout);
}

/** The scripted agent under `name`, an entry under `agents:`, running the issue's `block` (a race's racer). */
export function scriptedBlockEntry(name: string, block = `flotilla-${name}`, timeout = "60s"): string {
  const agent = resolve(import.meta.dirname, "scripted-agent.mjs");
  return [
    `  ${name}:`,
    "    adapter: command",
    `    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(agent)}, "--block", ${JSON.stringify(block)}, "{prompt_file}"]`,
    `    timeout: ${timeout}`,
  ].join("\n");
}

export interface LoopbackOptions {
  /** `owner/name`; the owner becomes an organization. */
  repo: string;
  files: Record<string, FileChange>;
  /** People and their role on the repository. */
  people: Record<string, "read" | "triage" | "write" | "maintain" | "admin">;
  /** Which parts of Flotilla run. @defaultValue both */
  roles?: { app: boolean; worker: boolean };
  /** Flotilla's log level (pino, to stderr). @defaultValue "warn" */
  logLevel?: Settings["logLevel"];
}

export interface Loopback {
  sandbox: Sandbox;
  app: { id: number; slug: string; privateKey: string };
  installationId: number;
  repo: { owner: string; name: string; fullName: string };
  /** Octokit as the App's installation, to look at the repository the way Flotilla does. */
  octokit: InstanceType<typeof UnthrottledOctokit>;
  flotilla: Running;
  stop(): Promise<void>;
}

export async function startLoopback(options: LoopbackOptions): Promise<Loopback> {
  const [owner, name] = options.repo.split("/") as [string, string];
  const sandbox = await Sandbox.start({});
  const dataDir = await mkdtemp(join(tmpdir(), "flotilla-loopback-"));
  let flotilla: Running | undefined;
  const stop = async () => {
    await flotilla?.stop();
    await sandbox.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    // 1. GitHub: the App, the repository and its people.
    const app = sandbox.script.createApp({ name: "Flotilla Demo", owner: "flotilla-dev" });
    await sandbox.script.createRepo({ owner, name, files: options.files });
    const installation = sandbox.script.installApp({ appId: app.id, account: owner });
    for (const [login, role] of Object.entries(options.people)) {
      sandbox.script.createUser({ login });
      sandbox.script.addCollaborator({ repo: options.repo, user: login, role });
    }

    // 2. Flotilla, with the embedded Redis (no REDIS_URL) as `npm start` has it.
    flotilla = await startFlotilla({
      settings: {
        appId: app.id,
        privateKey: app.privateKey,
        webhookSecret: app.webhookSecret as string,
        githubApiUrl: sandbox.baseUrl,
        port: await freePort(),
        host: "127.0.0.1",
        logLevel: options.logLevel ?? "warn",
        redisUrl: undefined,
        redisPrefix: "flotilla",
        dataDir,
        workerConcurrency: 4,
        installationConcurrency: 10,
      },
      roles: options.roles ?? { app: true, worker: true },
      log: pino({ level: options.logLevel ?? "warn" }, pino.destination(2)),
      // GitHub's rate-limit pacing (writes a second apart) is for github.com, not for a local sandbox.
      Octokit: UnthrottledOctokit,
    });
    if (flotilla.port !== undefined) {
      sandbox.script.setWebhookUrl({
        appId: app.id,
        webhookUrl: `http://127.0.0.1:${flotilla.port}/api/github/webhooks`,
      });
    }
    return {
      sandbox,
      app: { id: app.id, slug: app.slug, privateKey: app.privateKey },
      installationId: installation.id,
      repo: { owner, name, fullName: options.repo },
      octokit: new UnthrottledOctokit({
        baseUrl: sandbox.baseUrl,
        auth: { appId: app.id, privateKey: app.privateKey, installationId: installation.id },
      }),
      flotilla,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
