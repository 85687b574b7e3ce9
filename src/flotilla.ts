import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Redis } from "ioredis";
import pino, { type Logger } from "pino";
import { Probot, ProbotOctokit, Server } from "probot";
import { createApp } from "./app/index.js";
import type { Settings } from "./app/settings.js";
import { SenderPermissions } from "./app/validation/sender-permission.js";
import { ActionsBackend } from "./backends/actions/actions-backend.js";
import { LocalBackend } from "./backends/local.js";
import { LiveStreams } from "./dashboard/live-updates.js";
import { startEmbeddedRedis } from "./fleet/embedded-redis.js";
import { type Fleet, openFleet } from "./fleet/fleet.js";
import {
  closeConnection,
  connectForWebhooks,
  connectForWorkers,
  type RedisTarget,
} from "./fleet/redis-connection.js";
import { startWorkers, type WorkerOptions } from "./fleet/workers.js";
import type { GitHub } from "./github/octokit.js";
import { requestMetrics } from "./github/request-metrics.js";
import { Workspaces } from "./runner/workspace.js";

export interface FlotillaOptions {
  settings: Settings;
  /** `app` serves webhooks, `worker` runs tasks; `npm start` is both in one process. */
  roles: { app: boolean; worker: boolean };
  /** Where agents' configured secrets come from. @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  /** Octokit to use (tests and the demo turn off throttling against the local sandbox). */
  Octokit?: typeof ProbotOctokit;
  worker?: Omit<WorkerOptions, "concurrency">;
  /** The dashboard's live views: how often they look for changes (tests look more often). */
  dashboard?: { pollMs?: number };
}

export interface Running {
  /** The webhook server's port, when serving. */
  port?: number;
  stop(): Promise<void>;
}

/**
 * Starts Flotilla: Redis (the given one, or a private embedded one), then the webhook server and/or the
 * workers, each on its own kind of Redis connection. The composition root: everything is built here.
 */
export async function startFlotilla(options: FlotillaOptions): Promise<Running> {
  const { settings, roles } = options;
  const log = options.log ?? pino({ level: settings.logLevel, name: "flotilla" });
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const step of stops.splice(0).reverse())
      await step().catch((error) => log.warn({ err: error }, "stop failed"));
  };
  const queueError = (error: Error) => log.warn({ err: error }, "Redis connection error");
  try {
    // 1. Redis.
    let target: RedisTarget;
    if (settings.redisUrl) target = { url: settings.redisUrl };
    else {
      const embedded = await startEmbeddedRedis(join(settings.dataDir, "redis"));
      stops.push(embedded.stop);
      target = { path: embedded.path };
      log.info(
        { socket: embedded.path },
        "REDIS_URL is unset: started a private redis-server (embedded default)",
      );
    }
    // Each role's GitHub requests are counted for /metrics, into its own fleet's Redis connection.
    const probotOptions = (fleet: Fleet) => ({
      appId: settings.appId,
      privateKey: settings.privateKey,
      secret: settings.webhookSecret,
      baseUrl: settings.githubApiUrl,
      log,
      Octokit: (options.Octokit ?? ProbotOctokit).plugin(requestMetrics(fleet.metrics)),
    });
    const result: Running = { stop };
    // One cache of who may steer agents, for the handlers and for whose comments the prompt includes.
    const permissions = new SenderPermissions();

    // 2. Workers: they run tasks, so they start before webhooks can queue any.
    if (roles.worker) {
      const connection = await connectForWorkers(target);
      stops.push(() => closeConnection(connection));
      const fleet = openFleet(connection, settings.redisPrefix, queueError, settings.installationConcurrency);
      stops.push(fleet.close);
      const probot = new Probot(probotOptions(fleet));
      const workspaces = new Workspaces({ root: join(settings.dataDir, "workspaces") });
      const workers = startWorkers(
        {
          fleet,
          backends: {
            local: new LocalBackend(workspaces, options.env ?? process.env),
            actions: new ActionsBackend(),
          },
          github: async (installationId) => (await probot.auth(installationId)) as GitHub,
          permissions,
          appId: settings.appId,
          log,
          ...(options.worker?.remotePollMs ? { remotePollMs: options.worker.remotePollMs } : {}),
        },
        connection,
        {
          ...options.worker,
          concurrency: settings.workerConcurrency,
          ...(settings.judgeConcurrency ? { judgeConcurrency: settings.judgeConcurrency } : {}),
          ...(settings.remoteJudgeConcurrency
            ? { remoteJudgeConcurrency: settings.remoteJudgeConcurrency }
            : {}),
        },
      );
      stops.push(workers.close);
    }

    // 3. The webhook server.
    if (roles.app) {
      const connection: Redis = await connectForWebhooks(target);
      stops.push(() => closeConnection(connection));
      const fleet = openFleet(connection, settings.redisPrefix, queueError, settings.installationConcurrency);
      stops.push(fleet.close);
      const server = new Server({
        port: settings.port,
        host: settings.host,
        log,
        Probot: Probot.defaults(probotOptions(fleet)),
      });
      const streams = new LiveStreams();
      await server.load(
        createApp({
          fleet,
          permissions,
          appId: settings.appId,
          ...(settings.dashboard
            ? {
                dashboard: {
                  settings: settings.dashboard,
                  apiUrl: settings.githubApiUrl,
                  streams,
                  ...options.dashboard,
                },
              }
            : {}),
        }),
      );
      const http = await server.start();
      stops.push(() => server.stop());
      // Stops run last first: the dashboard's streams end before the server waits for its connections.
      stops.push(async () => streams.closeAll());
      result.port = (http.address() as AddressInfo).port;
    }
    return result;
  } catch (error) {
    await stop();
    throw error;
  }
}
