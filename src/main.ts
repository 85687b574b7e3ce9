import { Probot, Server } from "probot";
import flotilla from "./app/index.js";
import { loadSettings, SettingsError } from "./app/settings.js";

/** Entry point: read settings, start Probot's server with the Flotilla app. */
async function main(): Promise<void> {
  const settings = loadSettings(process.env);
  const server = new Server({
    port: settings.port,
    host: settings.host,
    Probot: Probot.defaults({
      appId: settings.appId,
      privateKey: settings.privateKey,
      secret: settings.webhookSecret,
      baseUrl: settings.githubApiUrl,
      logLevel: settings.logLevel,
    }),
  });
  await server.load(flotilla);
  await server.start();
}

main().catch((error: unknown) => {
  if (error instanceof SettingsError) {
    console.error(error.message);
    process.exit(78); // EX_CONFIG
  }
  console.error(error);
  process.exit(1);
});
