import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser, screenshot } from "../helpers/browser.js";
import {
  configWithScriptedAgent,
  expectNothingPublished,
  type Loop,
  scriptedIssue,
  startLoop,
  waitFor,
} from "../helpers/loop.js";

// The fleet dashboard in a real browser (Debian's Chromium, driven by Playwright), against the sandbox: people
// sign in with GitHub (the sandbox's authorize page), watch five agents at work change state live, stop one,
// and see only what their access on GitHub allows. Screenshots go to test-output/screenshots/dashboard.

const REPO = "acme/widgets";
const gates = mkdtempSync(join(tmpdir(), "flotilla-dashboard-gates-"));
/** The file that lets the agent on `issue` finish (the agent waits for it). */
const gate = (issue: number) => join(gates, `release-${issue}`);
const open = (issue: number) => writeFileSync(gate(issue), "");

let loop: Loop;
let browser: Browser;
let base: string;
const issues: number[] = [];

beforeAll(async () => {
  loop = await startLoop({
    files: {
      "README.md": "# widgets\n",
      ".github/flotilla.yml": configWithScriptedAgent("concurrency:\n  perRepo: 5\n"),
    },
    workerConcurrency: 5,
    dashboard: true,
  });
  base = `http://127.0.0.1:${loop.flotilla.port}`;
  loop.world.sandbox.script.createUser({ login: "carol" }); // no access to the private acme/widgets
  browser = await launchBrowser();
  // Five agents at work, each held until its test lets it go.
  for (let n = 0; n < 5; n++) {
    const issue = await loop.openIssue(
      `Task ${n + 1}`,
      scriptedIssue(
        `await ${gate(n + 1)}\nwrite src/task-${n + 1}.js <<EOF\nexport const n = ${n + 1};\nEOF`,
      ),
    );
    issues.push(issue);
  }
  for (const issue of issues) await loop.label(issue, "agent:scripted");
  await waitFor(
    "five agents running",
    async () =>
      (await Promise.all(issues.map((i) => loop.redisTask(i)))).every((t) => t?.state === "running"),
    30_000,
  );
}, 60_000);

afterAll(async () => {
  for (const issue of issues) open(issue);
  await browser?.close();
  await loop?.stop();
  rmSync(gates, { recursive: true, force: true });
});

/** A fresh browser profile signed in on the dashboard as `login`, through the sandbox's "Sign in with GitHub". */
async function signedIn(login: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/fleet`);
  await page.getByRole("link", { name: "Sign in with GitHub" }).click();
  await page.getByRole("link", { name: `Continue as ${login}` }).click();
  await page.waitForURL(`${base}/fleet`);
  await expect(page.getByText(`Signed in as @${login}`).count()).resolves.toBe(1);
  return { context, page };
}

const row = (page: Page, issue: number) => page.locator("#tasks tr", { hasText: `${REPO}#${issue}` });

describe("the fleet dashboard", () => {
  it("asks a signed-out visitor to sign in and shows nothing of the private repository", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(`${base}/fleet`);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole("link", { name: "Sign in with GitHub" }).count()).resolves.toBe(1);
    expect(await page.content()).not.toContain("widgets");
    await screenshot(page, "dashboard", "1-signed-out");
    // Nor do the live updates, a task's page or the buttons answer without a session.
    expect((await fetch(`${base}/fleet/events`)).status).toBe(401);
    const task = await loop.redisTask(issues[0] as number);
    const taskPage = await fetch(`${base}/fleet/tasks/${task?.id}`);
    expect(await taskPage.text()).not.toContain("widgets");
    const stop = await fetch(`${base}/fleet/tasks/${task?.id}/stop`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "token=x",
    });
    expect(stop.status).toBe(401);
    expect((await loop.redisTask(issues[0] as number))?.cancel).toBeUndefined();
    await context.close();
  });

  it("shows a writer the five agents at work, live, and stops one from the page", async () => {
    const { context, page } = await signedIn("alice");
    for (const issue of issues) await expect(row(page, issue).getByText("running").count()).resolves.toBe(1);
    await expect(page.locator("#summary").textContent()).resolves.toBe("5 tasks: 5 running");
    await screenshot(page, "dashboard", "2-five-running");

    // 1. One agent finishes: its row changes without a reload (the marker set on this page survives).
    await page.evaluate(() => Object.assign(globalThis, { stillThisPage: true }));
    const first = issues[0] as number;
    open(first);
    await row(page, first)
      .locator("a", { hasText: /^#\d+$/ })
      .waitFor({ timeout: 20_000 });
    await expect(
      page.evaluate(() => (globalThis as { stillThisPage?: boolean }).stillThisPage),
    ).resolves.toBe(true);
    await expect(row(page, first).textContent()).resolves.toMatch(/checking|ready/);
    await screenshot(page, "dashboard", "3-one-finished-live");

    // 2. Stop another from the page: it is cancelled, and its agent publishes nothing.
    const second = issues[1] as number;
    await page.getByRole("button", { name: `Stop scripted on ${REPO}#${second}` }).click();
    await page.getByRole("status").filter({ hasText: "Stop requested" }).waitFor();
    await row(page, second).getByText("cancelled").waitFor({ timeout: 20_000 });
    const stopped = await loop.redisTask(second);
    expect(stopped).toMatchObject({
      state: "cancelled",
      cancel: { reason: "@alice stopped it from the fleet dashboard" },
    });
    open(second);
    await expectNothingPublished(loop, second);
    await screenshot(page, "dashboard", "4-one-stopped");

    // 3. The finished task's page: its timeline and its pull request's changes.
    await row(page, first)
      .getByRole("link", { name: `${REPO}#${first}` })
      .click();
    await page.getByRole("heading", { name: "Timeline" }).waitFor();
    const timeline = await page.locator(".timeline").textContent();
    for (const state of ["queued", "starting", "running", "publishing", "checking"])
      expect(timeline).toContain(state);
    await expect(page.getByText("1 file changed").count()).resolves.toBe(1);
    await expect(page.getByText(`src/task-1.js`).count()).resolves.toBe(1);
    await screenshot(page, "dashboard", "5-task-page");
    await context.close();
  });

  it("shows a reader the tasks without buttons, and refuses their stop", async () => {
    const { context, page } = await signedIn("rob");
    const third = issues[2] as number;
    await expect(row(page, third).getByText("running").count()).resolves.toBe(1);
    await expect(page.getByRole("button", { name: /^Stop / }).count()).resolves.toBe(0);
    // A stop posted by hand with rob's own session and form token is refused all the same.
    const cookies = await context.cookies();
    const token = await page.locator("form.who input[name=token]").getAttribute("value");
    const task = await loop.redisTask(third);
    const response = await fetch(`${base}/fleet/tasks/${task?.id}/stop`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: cookies.map((c) => `${c.name}=${c.value}`).join("; "),
      },
      body: `token=${encodeURIComponent(token ?? "")}`,
      redirect: "manual",
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("write access to acme/widgets");
    expect((await loop.redisTask(third))?.state).toBe("running");
    await screenshot(page, "dashboard", "6-reader");
    await context.close();
  });

  it("shows someone without access to the repository nothing of it", async () => {
    const { context, page } = await signedIn("carol");
    await expect(page.getByText("No tasks to show.").count()).resolves.toBe(1);
    expect(await page.content()).not.toContain("widgets");
    const task = await loop.redisTask(issues[2] as number);
    const taskPage = await page.goto(`${base}/fleet/tasks/${task?.id}`);
    expect(taskPage?.status()).toBe(404);
    expect(await page.content()).not.toContain("widgets");
    await screenshot(page, "dashboard", "7-no-access");
    await context.close();
  });
  it("ends the open live updates when the server stops, instead of keeping the stop waiting on them", async () => {
    const { context } = await signedIn("alice");
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    await context.close();
    const stream = await fetch(`${base}/fleet/events`, { headers: { cookie } });
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    const reader = stream.body?.getReader();
    const first = new TextDecoder().decode((await reader?.read())?.value);
    expect(first).toContain("retry: 3000");
    // Every process of this test's Flotilla stops; the stream is ended, not left hanging.
    await loop.flotilla.stop();
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
    }
  });
});
