import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "@jest/globals";
import type { JobType } from "bullmq";
import pino from "pino";
import { scriptedAgentConfig, scriptedJudgeEntry } from "../../scripts/loopback.js";
import type { Settings } from "../../src/app/settings.js";
import { Keys } from "../../src/fleet/keys.js";
import { openQueues } from "../../src/fleet/queues.js";
import { type Task, taskIdFor } from "../../src/fleet/task.js";
import { TaskStore } from "../../src/fleet/task-store.js";
import type { WorkerOptions } from "../../src/fleet/workers.js";
import { type Running, startFlotilla } from "../../src/flotilla.js";
import { UnthrottledOctokit } from "../../src/github/octokit.js";
import { freePort, startRedis, type TestRedis } from "./redis.js";
import { startWorld, type World } from "./sandbox.js";

/** The scripted test agent, as a repository config names it. */
export const SCRIPTED_AGENT = resolve("scripts/scripted-agent.mjs");

/**
 * A `.github/flotilla.yml` with the scripted agent (as `scripted`) and the given extra YAML. The judge is off
 * (the only agent would judge its own work with the coder's script); its tests use configWithScriptedJudge.
 */
export function configWithScriptedAgent(extra = ""): string {
  return `judge:\n  enabled: false\n${scriptedAgentConfig()}\n${extra}`;
}

/**
 * The scripted agent and a scripted judge (`scripted-judge`, which runs the issue's `flotilla-judge` block),
 * with `judge:` settings (YAML lines, indented) and the given extra YAML.
 */
export function configWithScriptedJudge(judge = "", extra = "", judgeTimeout = "60s"): string {
  return `${scriptedAgentConfig()}\n${scriptedJudgeEntry("scripted-judge", judgeTimeout)}\njudge:\n  agent: scripted-judge\n${judge}\n${extra}`;
}

/** An issue body with the coder's script and the judge's. */
export function judgedIssue(script: string, judge: string): string {
  return `${scriptedIssue(script)}\n\`\`\`flotilla-judge\n${judge}\n\`\`\`\n`;
}

/** `src/add.js` with its bug (it subtracts), and the scripted agent's fix for it. */
export const BUGGY_ADD = "export function add(a, b) {\n  return a - b;\n}\n";
export const FIX_ADD = "replace src/add.js <<EOF\n-  return a - b;\n+  return a + b;\nEOF";

/** An issue body that asks the scripted agent to run `script`. */
export function scriptedIssue(script: string): string {
  return `Please fix this.\n\n\`\`\`flotilla-script\n${script}\n\`\`\`\n`;
}

export interface Loop {
  world: World;
  redis: TestRedis;
  settings: Settings;
  flotilla: Running;
  webhookUrl: string;
  /** Starts another Flotilla on the same Redis and data dir, e.g. to bring a worker back; stop() stops it too. */
  restart(roles?: { app: boolean; worker: boolean }): Promise<Running>;
  openIssue(title: string, body: string, labels?: string[]): Promise<number>;
  label(issue: number, label: string, user?: string): Promise<void>;
  /** The issue's comments as GitHub shows them. */
  comments(issue: number): Promise<{ id: number; body: string; user: string }[]>;
  pulls(): Promise<{ number: number; title: string; body: string; head: string }[]>;
  /** Every job Flotilla ever queued (waiting, running, done or failed), per queue. */
  jobCounts(): Promise<{ runs: number; updates: number }>;
  /** Waits until no GitHub update (status comment, notice) is waiting or in progress. */
  drainUpdates(): Promise<void>;
  /** The task record Flotilla keeps in Redis for this issue and agent. */
  redisTask(issue: number, agent?: string): Promise<Task | undefined>;
  stop(): Promise<void>;
}

export interface LoopOptions {
  /** Files in the repository's first commit; defaults to a README. */
  files?: Record<string, string>;
  worker?: WorkerOptions;
  roles?: { app: boolean; worker: boolean };
  workerConcurrency?: number;
  /** INSTALLATION_CONCURRENCY. @defaultValue 10 */
  installationConcurrency?: number;
  /** The worker's environment, where agents' secrets come from. @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  /** The fleet dashboard, with sign-in through the sandbox (its live views look for changes often). */
  dashboard?: boolean;
  /** Where Flotilla's logs go, at debug level; silent (or LOG_LEVEL to stderr) otherwise. */
  logTo?: { write(line: string): void };
}

/**
 * The whole loop on loopback: the GitHub sandbox with `acme/widgets`, a private redis-server, and Flotilla
 * (webhook server and worker) pointed at both, with the sandbox delivering webhooks to it.
 */
export async function startLoop(options: LoopOptions = {}): Promise<Loop> {
  const world = await startWorld({ files: options.files ?? { "README.md": "# widgets\n" } });
  const redis = await startRedis();
  const dataDir = await mkdtemp(join(tmpdir(), "flotilla-loop-"));
  const port = await freePort();
  const settings: Settings = {
    appId: world.app.id,
    privateKey: world.app.privateKey,
    webhookSecret: world.app.webhookSecret,
    githubApiUrl: world.sandbox.baseUrl,
    // Probot reads port 0 as "unset" and takes 3000, so pick a free one.
    port,
    host: "127.0.0.1",
    logLevel: "warn",
    redisUrl: redis.url,
    redisPrefix: "flotilla",
    dataDir,
    workerConcurrency: options.workerConcurrency ?? 4,
    installationConcurrency: options.installationConcurrency ?? 10,
    ...(options.dashboard
      ? {
          dashboard: {
            clientId: world.app.clientId,
            clientSecret: world.app.clientSecret,
            publicUrl: `http://127.0.0.1:${port}`,
            webUrl: world.sandbox.baseUrl,
          },
        }
      : {}),
  };
  if (options.dashboard)
    world.sandbox.script.setCallbackUrl({
      appId: world.app.id,
      callbackUrl: `http://127.0.0.1:${port}/fleet/callback`,
    });
  const log = options.logTo
    ? pino({ level: "debug" }, options.logTo)
    : pino({ level: process.env.LOG_LEVEL ?? "silent" });
  const start = (roles = options.roles ?? { app: true, worker: true }) =>
    startFlotilla({
      settings,
      roles,
      log,
      ...(options.env ? { env: options.env } : {}),
      Octokit: UnthrottledOctokit,
      dashboard: { pollMs: 200 },
      worker: {
        lockDurationMs: 2_000,
        stalledIntervalMs: 1_000,
        reconcileIntervalMs: 2_000,
        // No remotePollMs: a judge on a runner learns its run completed from the webhook, as in production.
        ...options.worker,
      },
    });
  const flotilla = await start();
  const started = [flotilla];
  const webhookUrl = `http://127.0.0.1:${flotilla.port}/api/github/webhooks`;
  world.sandbox.script.setWebhookUrl({ appId: world.app.id, webhookUrl });
  const gh = world.installationOctokit();
  const repo = { owner: world.repo.owner, repo: world.repo.name };
  const { data: repository } = await gh.rest.repos.get(repo);
  const observer = redis.connect();
  const store = new TaskStore(observer, new Keys(settings.redisPrefix));
  const queues = openQueues(observer, settings.redisPrefix);
  const STATES = ["waiting", "active", "completed", "failed", "delayed", "prioritized"] as const;
  const total = async (
    queue: typeof queues.runs | typeof queues.updates,
    states: readonly JobType[] = STATES,
  ) => Object.values(await queue.getJobCounts(...states)).reduce((a, b) => a + b, 0);
  const loop: Loop = {
    world,
    redis,
    settings,
    flotilla,
    webhookUrl,
    async restart(roles) {
      loop.flotilla = await start(roles);
      started.push(loop.flotilla);
      return loop.flotilla;
    },
    async openIssue(title, body, labels = []) {
      const issue = await world.sandbox.script.openIssue({
        repo: world.repo.fullName,
        title,
        body,
        user: "alice",
        labels,
      });
      return issue.number;
    },
    async label(issue, label, user = "alice") {
      await world.sandbox.script.addLabel({ repo: world.repo.fullName, issue, label, user });
    },
    async comments(issue) {
      const all = await gh.paginate(gh.rest.issues.listComments, {
        ...repo,
        issue_number: issue,
        per_page: 100,
      });
      return all.map((c) => ({ id: c.id, body: c.body ?? "", user: c.user?.login ?? "" }));
    },
    async pulls() {
      const all = await gh.paginate(gh.rest.pulls.list, { ...repo, state: "all", per_page: 100 });
      return all.map((p) => ({ number: p.number, title: p.title, body: p.body ?? "", head: p.head.ref }));
    },
    jobCounts: async () => ({ runs: await total(queues.runs), updates: await total(queues.updates) }),
    async drainUpdates() {
      await waitFor(
        "GitHub updates to finish",
        async () => (await total(queues.updates, ["waiting", "active", "delayed"])) === 0,
      );
    },
    redisTask: (issue, agent = "scripted") => store.get(taskIdFor(repository.id, issue, agent)),
    async stop() {
      for (const running of started) await running.stop();
      await queues.close();
      await redis.stop();
      await world.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return loop;
}

/** Asserts the agent's run published nothing for the issue: no branch, no pull request. */
export async function expectNothingPublished(loop: Loop, issue: number, agent = "scripted"): Promise<void> {
  const branch = `flotilla/${issue}-${agent}`;
  expect(await loop.world.sandbox.script.branchSha({ repo: loop.world.repo.fullName, branch })).toBeNull();
  expect((await loop.pulls()).filter((p) => p.head === branch)).toEqual([]);
}

/** Polls until `check` returns something other than undefined/false, or fails with what it last saw. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
