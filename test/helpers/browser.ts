import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's Chromium, which `npm test` installs (Playwright's own browser download cannot reach its host here). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Where browser tests leave their screenshots, for people to look at. */
export const SCREENSHOTS = resolve("test-output/screenshots");

/**
 * Headless Chromium for browser tests. The flags keep it off the network it cannot reach here (its
 * background services would retry, many at a time) and let it run as root in a container.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `No Chromium at ${CHROMIUM}: run \`npm test\` (it installs Debian's chromium) or \`sudo apt-get install -y chromium\`, or set CHROMIUM_PATH.`,
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/** Saves a full-page screenshot as `<folder>/<name>.png` under test-output/screenshots; returns its path. */
export async function screenshot(page: Page, folder: string, name: string): Promise<string> {
  const dir = join(SCREENSHOTS, folder);
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
