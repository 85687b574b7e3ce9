import pino from "pino";
import type { Settings } from "../../src/app/settings.js";
import { startFlotilla } from "../../src/flotilla.js";
import { UnthrottledOctokit } from "../../src/github/octokit.js";

// A Flotilla worker in a process of its own, for tests that kill it. It takes the loop's settings as JSON in
// FLOTILLA_TEST_SETTINGS and the loop's short lock timings, so a killed worker's job is found stalled in
// seconds rather than after BullMQ's default 30 s lock.

const settings = JSON.parse(process.env.FLOTILLA_TEST_SETTINGS ?? "") as Settings;
await startFlotilla({
  settings,
  roles: { app: false, worker: true },
  log: pino({ level: process.env.LOG_LEVEL ?? "warn" }),
  Octokit: UnthrottledOctokit,
  worker: { lockDurationMs: 2_000, stalledIntervalMs: 1_000, reconcileIntervalMs: 2_000 },
});
