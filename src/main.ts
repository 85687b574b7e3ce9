#!/usr/bin/env node
import { existsSync } from "node:fs";
import { run } from "probot";
import { loadSettings, SettingsError } from "./app/settings.js";
import { startFlotilla } from "./flotilla.js";

const USAGE = `usage: flotilla [start|app|worker]
  start   webhook server and worker in one process (the default; what \`npm start\` runs)
  app     only the webhook server; run several behind a load balancer against one Redis
  worker  only a worker; run as many as you like against one Redis`;

const ROLES = {
  start: { app: true, worker: true },
  app: { app: true, worker: false },
  worker: { app: false, worker: true },
} as const;

/** Entry point: pick the roles, read settings, start; stop cleanly on SIGINT/SIGTERM. */
async function main(argv: string[]): Promise<void> {
  const command = argv[0] ?? "start";
  if (!(command in ROLES)) {
    console.error(USAGE);
    process.exit(64); // EX_USAGE
  }
  const roles = ROLES[command as keyof typeof ROLES];
  // Probot's setup flow writes the new App's credentials to .env; variables already set win.
  if (existsSync(".env")) process.loadEnvFile(".env");
  const env = process.env;
  // No App yet: Probot's setup flow registers one from app.yml and writes its credentials to .env.
  if (
    roles.app &&
    !env.APP_ID &&
    !env.PRIVATE_KEY &&
    !env.PRIVATE_KEY_PATH &&
    env.NODE_ENV !== "production"
  ) {
    console.error(
      "No GitHub App credentials (APP_ID, PRIVATE_KEY): starting Probot's setup to create the App from app.yml.",
    );
    await run(() => {});
    return;
  }
  const running = await startFlotilla({ settings: loadSettings(env, roles), roles });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      running.stop().then(() => process.exit(0));
    });
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof SettingsError) {
    console.error(error.message);
    process.exit(78); // EX_CONFIG
  }
  console.error(error);
  process.exit(1);
});
