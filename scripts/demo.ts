/**
 * The demo: the whole loop on loopback. The GitHub sandbox gets a repository with a small bug and CI;
 * Flotilla starts (webhook server, worker, its embedded redis-server); alice opens an issue about the bug
 * and labels it `agent:scripted`; the scripted test agent fixes it in a worktree; Flotilla commits the fix
 * and opens a pull request; CI checks it, then a scripted judge reviews it and the gate check "Flotilla"
 * reports the verdict. Prints each step with its time, the judge's review, then the diff.
 *
 *   npm run demo                 the walkthrough, then exit (0 only when the pull request exists)
 *   npm run demo -- --json       the same as one JSON document on stdout
 *   npm run demo -- --serve      keep the sandbox and Flotilla running afterwards (Ctrl-C to stop)
 *   npm run demo -- --backend actions
 *                                the agent runs on the sandbox's GitHub Actions runner instead: the agent
 *                                workflow is dispatched, its runner step runs flotilla-runner, the App
 *                                publishes the artifact
 *   LOG_LEVEL=info npm run demo  Flotilla's own log on stderr
 */
import { readFileSync } from "node:fs";
import type { Delivery } from "../sandbox/webhooks/webhooks.js";
import { type Loopback, scriptedAgentConfig, scriptedJudgeEntry, startLoopback } from "./loopback.js";
import { runnerBin } from "./runner-bin.js";

const json = process.argv.includes("--json");
const serve = process.argv.includes("--serve");
const backendArg = process.argv[process.argv.indexOf("--backend") + 1];
const actions = process.argv.includes("--backend") && backendArg === "actions";
if (process.argv.includes("--backend") && backendArg !== "actions" && backendArg !== "local") {
  console.error("demo: --backend takes local (the default) or actions");
  process.exit(2);
}
const TIMEOUT_MS = 60_000;

const BUGGY = 'export function greet(who) {\n  return "Helo, " + who + "!";\n}\n';
const TEST =
  'import assert from "node:assert";\nimport { test } from "node:test";\nimport { greet } from "./greet.js";\n\ntest("greets", () => assert.equal(greet("Ada"), "Hello, Ada!"));\n';
// What the scripted agent does, from a fenced block in the issue (a real agent would read the prose).
const ISSUE_BODY = [
  '`greet("Ada")` returns `Helo, Ada!`: "Hello" is misspelled, and `greet.test.js` fails.',
  "",
  "```flotilla-script",
  "replace greet.js <<EOF",
  '-  return "Helo, " + who + "!";',
  '+  return "Hello, " + who + "!";',
  "EOF",
  "```",
  "",
  "## Acceptance criteria",
  "",
  '- `greet("Ada")` returns `Hello, Ada!`',
  "- `greet.test.js` passes",
  "",
  "What the scripted judge answers (a real judge reads the diff and the CI results):",
  "",
  "```flotilla-judge",
  'if greet.js has "Hello, "',
  `echo ${JSON.stringify({
    decision: "approve",
    summary: "The greeting is spelled right now, and CI's test passes.",
    criteria: [
      {
        criterion: 'greet("Ada") returns Hello, Ada!',
        met: true,
        evidence: 'greet.js returns "Hello, " + who',
      },
      { criterion: "greet.test.js passes", met: true, evidence: "the CI check test succeeded" },
    ],
  })}`,
  'if greet.js lacks "Hello, "',
  `echo ${JSON.stringify({ decision: "request_changes", summary: "Still misspelled.", findings: [{ severity: "blocker", file: "greet.js", line: 2, message: "Helo" }] })}`,
  "```",
].join("\n");

interface Step {
  /** Milliseconds since the label was added. */
  ms: number;
  step: string;
}

interface Report {
  ok: boolean;
  repo: string;
  issue: number;
  /** Starting the sandbox, the repository and Flotilla (webhook server, worker, embedded redis-server). */
  setupMs: number;
  pullRequest: { number: number; url: string; branch: string } | null;
  /** The status comment as it ended. */
  status: string;
  timeline: Step[];
  checks: { name: string; conclusion: string | null }[];
  /** The judge's review on the pull request. */
  review: string;
  diff: string;
  apiRequests: { reads: number; writes: number };
}

/** Each webhook the App was sent, as a timeline step, at the moment it was sent. */
function describeDelivery(d: Delivery, botLogin: string): string | undefined {
  const payload = d.payload as {
    comment?: { body?: string };
    pull_request?: { number: number };
    sender?: { login: string };
  };
  if (d.event === "issues" && d.action === "labeled")
    return `label agent:scripted added by alice; webhook answered ${d.statusCode} in ${d.durationMs} ms`;
  if (d.event === "issue_comment" && payload.sender?.login === botLogin) {
    // The last headline: the judge's line, once there is one, says more than "Pull request opened".
    const headline = [...(payload.comment?.body ?? "").matchAll(/\*\*(.+?)[.:]?\*\*/g)].at(-1)?.[1];
    return headline ? `status comment: ${headline.replace(/\[(#\d+)\]\(.*?\)/, "$1")}` : undefined;
  }
  if (d.event === "pull_request" && d.action === "opened")
    return `pull request #${payload.pull_request?.number} opened by ${payload.sender?.login}`;
  if (d.event === "workflow_run") {
    const run = (d.payload as { workflow_run?: { id: number; display_title?: string } }).workflow_run;
    const what = { requested: "dispatched", in_progress: "running", completed: "completed" }[d.action ?? ""];
    if (what) return `Actions run ${run?.id} (“${run?.display_title}”) ${what}`;
  }
  return undefined;
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!json) console.error(`demo: gave up waiting for ${what} after ${TIMEOUT_MS / 1000} s`);
  return undefined;
}

async function walkthrough(world: Loopback, setupMs: number): Promise<Report> {
  const { sandbox, octokit, repo } = world;
  const { owner, name } = repo;
  const timeline: Step[] = [];
  let labelledAt = Date.now();
  const at = (step: string, time = Date.now()) => timeline.push({ ms: time - labelledAt, step });
  const botLogin = `${world.app.slug}[bot]`;
  sandbox.webhooks.onDelivery((d) => {
    const step = describeDelivery(d, botLogin);
    if (step) at(step, Date.now() - d.durationMs);
  });

  // 1. alice reports the bug, then asks the scripted agent to fix it.
  const issue = await sandbox.script.openIssue({
    repo: repo.fullName,
    user: "alice",
    title: "greet() says Helo",
    body: ISSUE_BODY,
  });
  labelledAt = Date.now();
  await sandbox.script.addLabel({
    repo: repo.fullName,
    issue: issue.number,
    label: "agent:scripted",
    user: "alice",
  });

  // 2. The pull request, as anyone would find it: by its branch.
  const branch = `flotilla/${issue.number}-scripted`;
  const pull = await waitFor("the pull request", async () => {
    const { data } = await octokit.rest.pulls.list({ owner, repo: name, head: `${owner}:${branch}` });
    return data[0];
  });
  const status = async () => {
    const { data } = await octokit.rest.issues.listComments({
      owner,
      repo: name,
      issue_number: issue.number,
    });
    return data.find((c) => c.body?.includes("flotilla:status"))?.body ?? "";
  };
  let finalStatus = await status();
  if (pull) {
    finalStatus =
      (await waitFor("the status comment to link the pull request", async () => {
        const body = await status();
        return body.includes(`#${pull.number}`) ? body : undefined;
      })) ?? (await status());
  }

  // 3. CI on the pull request's head, then the judge and the gate; and the change itself.
  let checks: Report["checks"] = [];
  let review = "";
  let diff = "";
  if (pull) {
    await sandbox.script.settleCi({});
    // The judge runs where the agent did: on the actions backend, as another run of the agent workflow.
    const gate = await waitFor("the gate check", async () => {
      const { data } = await octokit.rest.checks.listForRef({ owner, repo: name, ref: pull.head.sha });
      const flotilla = data.check_runs.find((run) => run.name === "Flotilla" && run.status === "completed");
      return flotilla ? data.check_runs : undefined;
    });
    checks = (gate ?? []).map((run) => ({ name: run.name, conclusion: run.conclusion }));
    checks.sort((a, b) => a.name.localeCompare(b.name));
    for (const run of gate ?? [])
      at(`check "${run.name}": ${run.conclusion}`, Date.parse(run.completed_at ?? ""));
    const reviews = await octokit.rest.pulls.listReviews({ owner, repo: name, pull_number: pull.number });
    review = (reviews.data[0]?.body ?? "").replace(/^<!--.*-->\n/, "");
    // The status comment follows the gate's verdict (a moment after it).
    finalStatus =
      (await waitFor("the status comment to show the gate", async () => {
        const body = await status();
        return /Gate passed|Gate failed|Needs a person/.test(body) ? body : undefined;
      })) ?? (await status());
    const files = await octokit.rest.pulls.listFiles({ owner, repo: name, pull_number: pull.number });
    diff = files.data
      .map((f) => `--- a/${f.filename}\n+++ b/${f.filename}\n${f.patch ?? "(binary)"}\n`)
      .join("");
  }
  await sandbox.webhooks.settled();
  const meter = sandbox.meter.snapshot();
  timeline.sort((a, b) => a.ms - b.ms);
  return {
    ok: pull !== undefined,
    repo: repo.fullName,
    issue: issue.number,
    setupMs,
    pullRequest: pull ? { number: pull.number, url: pull.html_url, branch } : null,
    status: finalStatus.replace(/^<!--.*-->\n/, ""),
    timeline,
    checks,
    review,
    diff,
    apiRequests: { reads: meter.reads, writes: meter.writes },
  };
}

function print(report: Report, world: Loopback): void {
  console.log(
    `Flotilla demo: ${report.repo}, issue #${report.issue} "greet() says Helo" (${actions ? "actions" : "local"} backend)`,
  );
  console.log(`GitHub sandbox, repository and Flotilla started in ${report.setupMs} ms\n`);
  console.log("Timeline (ms after the label was added)");
  for (const { ms, step } of report.timeline) console.log(`${String(ms).padStart(7)}  ${step}`);
  console.log(`\nStatus comment on the issue:\n  ${report.status.replaceAll("\n", "\n  ")}`);
  if (report.review) console.log(`\nThe judge's review:\n  ${report.review.replaceAll("\n", "\n  ")}`);
  if (report.pullRequest) {
    console.log(`\nPull request #${report.pullRequest.number} (${report.pullRequest.branch}):\n`);
    console.log(report.diff);
  }
  console.log(
    `GitHub API requests served by the sandbox, setup included: ${report.apiRequests.reads} reads, ${report.apiRequests.writes} writes`,
  );
  if (serve) {
    console.log(`\nServing until Ctrl-C. GitHub sandbox: ${world.sandbox.baseUrl}`);
    console.log(`  git clone ${world.sandbox.baseUrl}/${report.repo}.git   (sandbox/README.md for the rest)`);
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  const world = await startLoopback({
    repo: "octo-org/hello-flotilla",
    files: {
      "README.md": "# hello-flotilla\n\nGreets people.\n",
      "greet.js": BUGGY,
      "greet.test.js": TEST,
      "package.json": '{ "name": "hello-flotilla", "type": "module", "private": true }\n',
      ".github/flotilla.yml": `${actions ? "backend: actions\n" : ""}${scriptedAgentConfig()}\n${scriptedJudgeEntry()}\njudge:\n  agent: scripted-judge\n`,
      ...(actions
        ? {
            ".github/workflows/flotilla-agent.yml": readFileSync(
              new URL("../.github/workflows/flotilla-agent.yml", import.meta.url),
              "utf8",
            ),
          }
        : {}),
    },
    people: { alice: "maintain" },
    logLevel: (process.env.LOG_LEVEL as "info" | undefined) ?? "warn",
  });
  world.sandbox.script.setCi({ repo: "octo-org/hello-flotilla", name: "test", command: ["node", "--test"] });
  // The sandbox plays a GitHub-hosted runner, with this checkout's flotilla-runner on its PATH.
  if (actions) world.sandbox.script.runAgentWorkflows({ path: [runnerBin()] });
  let report: Report;
  try {
    report = await walkthrough(world, Date.now() - started);
  } catch (error) {
    await world.stop();
    throw error;
  }
  if (json) console.log(JSON.stringify(report, null, 2));
  else print(report, world);
  if (!report.ok && !json)
    console.error("\ndemo: no pull request was opened; the status comment above says why.");
  if (serve) {
    process.once("SIGINT", () => void world.stop().then(() => process.exit(report.ok ? 0 : 1)));
    return -1;
  }
  await world.stop();
  return report.ok ? 0 : 1;
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    console.error("demo failed:", error);
    process.exit(1);
  },
);
