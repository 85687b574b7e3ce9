import { readFileSync } from "node:fs";
import { z } from "zod";

/**
 * The server's settings, from the environment. One schema: every variable, its default and its meaning.
 * Probot would quietly accept the webhook secret "development"; we refuse to start with it, or without one.
 */
const EnvSchema = z.object({
  /** The GitHub App's id (App settings → About). */
  APP_ID: z.coerce
    .number({ error: "must be the App's numeric id, from its settings page (About → App ID)" })
    .int()
    .positive(),
  /** The App's private key (PEM). Either this or PRIVATE_KEY_PATH. */
  PRIVATE_KEY: z.string().optional(),
  /** A file holding the App's private key (PEM). */
  PRIVATE_KEY_PATH: z.string().optional(),
  /** The secret GitHub signs webhooks with; must match the App's settings. */
  WEBHOOK_SECRET: z
    .string({ error: "is required: set it to the webhook secret in the GitHub App's settings" })
    .min(16, "must be at least 16 characters; generate one with `openssl rand -hex 32`")
    .refine((s) => s !== "development", "must not be Probot's placeholder 'development'"),
  /** REST API root: https://api.github.com, a GitHub Enterprise Server's https://HOST/api/v3, or the sandbox. */
  GITHUB_API_URL: z.url().default("https://api.github.com"),
  /** Port for webhooks and HTTP routes. */
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Interface to listen on. */
  HOST: z.string().default("0.0.0.0"),
  /** pino log level. */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace"]).default("info"),
  /** Redis for the queue and task records; unset: Flotilla starts a private redis-server in DATA_DIR. */
  REDIS_URL: z.url().optional(),
  /** Prefix of every Redis key, so several Flotillas can share one Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[\w.-]+$/, "letters, digits, `.`, `_` and `-`")
    .default("flotilla"),
  /** Where the embedded Redis keeps its data and the local backend its repository mirrors and worktrees. */
  DATA_DIR: z.string().default(".flotilla"),
  /** Agent runs at once in one worker process (each repository has its own limit in its config). */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** Agent runs at once across one installation's repositories (each repository has its own limit too). */
  INSTALLATION_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(10),
  /** Judge agent runs at once in one worker process, besides its coding agents. */
  JUDGE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** Judges on CI runners (`backend: actions`) one worker process follows at once: it only waits for them. */
  REMOTE_JUDGE_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  /** The App's client id (App settings → About): with the secret, turns on the fleet dashboard's sign-in. */
  GITHUB_CLIENT_ID: z.string().min(1).optional(),
  /** A client secret generated in the App's settings, for "Sign in with GitHub" on the fleet dashboard. */
  GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
  /** Where people reach this server (https://flotilla.example.com): the dashboard's sign-in returns there. */
  FLOTILLA_PUBLIC_URL: z.url().optional(),
});

/** The fleet dashboard's sign-in (docs/dashboard.md); absent: the dashboard is off. */
export interface DashboardSettings {
  clientId: string;
  clientSecret: string;
  /** This server as people's browsers reach it, without a trailing slash. */
  publicUrl: string;
  /** GitHub's web side, where people sign in: https://github.com, a GHES host, or the sandbox. */
  webUrl: string;
}

export interface Settings {
  appId: number;
  privateKey: string;
  webhookSecret: string;
  githubApiUrl: string;
  port: number;
  host: string;
  logLevel: z.infer<typeof EnvSchema>["LOG_LEVEL"];
  redisUrl: string | undefined;
  redisPrefix: string;
  dataDir: string;
  workerConcurrency: number;
  installationConcurrency: number;
  /** Judge runs at once in one worker process. @defaultValue 2 */
  judgeConcurrency?: number;
  /** Judges on CI runners followed at once in one worker process. @defaultValue 16 */
  remoteJudgeConcurrency?: number;
  dashboard?: DashboardSettings;
}

export class SettingsError extends Error {
  override name = "SettingsError";
}

/** Reads settings from an environment; throws one SettingsError that lists every problem and its fix. */
export function loadSettings(
  env: NodeJS.ProcessEnv,
  roles: { app: boolean; worker: boolean } = { app: true, worker: true },
): Settings {
  // A worker receives no webhooks, so it needs no webhook secret.
  const schema = roles.app ? EnvSchema : EnvSchema.extend({ WEBHOOK_SECRET: z.string().default("") });
  const parsed = schema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`);
  if (!env.PRIVATE_KEY && !env.PRIVATE_KEY_PATH) problems.push(KEY_PROBLEM);
  // Each process would start its own embedded Redis, and webhook servers would queue tasks no worker sees.
  if (!(roles.app && roles.worker) && !env.REDIS_URL)
    problems.push(
      "REDIS_URL is required when webhook servers and workers run as separate processes: they meet in one Redis",
    );
  problems.push(...dashboardProblems(env));
  if (!parsed.success || problems.length > 0) throw settingsError(problems);
  const values = parsed.data;
  const githubApiUrl = values.GITHUB_API_URL.replace(/\/+$/, "");
  const privateKey = values.PRIVATE_KEY ?? readKey(values.PRIVATE_KEY_PATH as string);
  if (!privateKey.includes("PRIVATE KEY")) throw settingsError([KEY_PROBLEM]);
  return {
    appId: values.APP_ID,
    privateKey: privateKey.replace(/\\n/g, "\n"),
    webhookSecret: values.WEBHOOK_SECRET,
    githubApiUrl,
    port: values.PORT,
    host: values.HOST,
    logLevel: values.LOG_LEVEL,
    redisUrl: values.REDIS_URL,
    redisPrefix: values.REDIS_PREFIX,
    dataDir: values.DATA_DIR,
    workerConcurrency: values.WORKER_CONCURRENCY,
    installationConcurrency: values.INSTALLATION_CONCURRENCY,
    judgeConcurrency: values.JUDGE_CONCURRENCY,
    remoteJudgeConcurrency: values.REMOTE_JUDGE_CONCURRENCY,
    ...(values.GITHUB_CLIENT_ID && values.GITHUB_CLIENT_SECRET && values.FLOTILLA_PUBLIC_URL
      ? {
          dashboard: {
            clientId: values.GITHUB_CLIENT_ID,
            clientSecret: values.GITHUB_CLIENT_SECRET,
            publicUrl: values.FLOTILLA_PUBLIC_URL.replace(/\/+$/, ""),
            webUrl: githubWebUrl(githubApiUrl),
          },
        }
      : {}),
  };
}

/** The dashboard needs all three of its variables, or none: half a sign-in would fail only when used. */
function dashboardProblems(env: NodeJS.ProcessEnv): string[] {
  const names = ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "FLOTILLA_PUBLIC_URL"] as const;
  const set = names.filter((name) => env[name]);
  if (set.length === 0 || set.length === names.length) return [];
  return names
    .filter((name) => !env[name])
    .map(
      (name) =>
        `${name} is required for the fleet dashboard's sign-in, since ${set.join(" and ")} ${set.length === 1 ? "is" : "are"} set (docs/dashboard.md); unset ${set.length === 1 ? "it" : "them"} to keep the dashboard off`,
    );
}

/**
 * GitHub's web side for an API root: github.com for api.github.com, the host for a GitHub Enterprise
 * Server's /api/v3, and the root itself otherwise (the sandbox serves both).
 */
export function githubWebUrl(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === "api.github.com") return "https://github.com";
  if (url.pathname.replace(/\/+$/, "").endsWith("/api/v3"))
    return `${url.origin}${url.pathname.replace(/\/api\/v3\/*$/, "")}`;
  return apiUrl.replace(/\/+$/, "");
}

const KEY_PROBLEM =
  "PRIVATE_KEY or PRIVATE_KEY_PATH must give the App's private key (a PEM file from the App's settings)";

function settingsError(problems: string[]): SettingsError {
  return new SettingsError(
    `Flotilla cannot start; fix these environment variables:\n${problems.map((p) => `  ${p}`).join("\n")}`,
  );
}

function readKey(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new SettingsError(
      `Flotilla cannot start: PRIVATE_KEY_PATH ${path} cannot be read (${(error as Error).message})`,
    );
  }
}
