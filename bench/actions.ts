/**
 * The actions backend's figures, on loopback: the GitHub sandbox runs the agent workflow's runner step as a
 * child process (this checkout's flotilla-runner through tsx, the scripted agent), Flotilla with its
 * embedded redis-server follows the run by its webhooks. One task at a time:
 *
 *   1. label → dispatch: until GitHub (the sandbox) sent `workflow_run.requested`: the handler, the queue,
 *      the worker's dispatch call;
 *   2. the run: `requested` → `completed`: the sandbox's checkout, the runner (Node and tsx start-up, reading
 *      the issue, the agent) and the artifact upload. On GitHub, add the wait for a runner and its setup;
 *   3. completed → pull request opened: Flotilla's collect job (the artifact downloaded and checked) and the
 *      publishing (commit through the Git Data API, the PR);
 *   4. GitHub API requests per task, Flotilla's App apart from the job's own token (the runner's reads).
 *
 *   npm run bench:actions        (RUNS=10 by default)
 */

import { readFileSync } from "node:fs";
import type { Delivery } from "../sandbox/webhooks/webhooks.js";
import { scriptedAgentConfig, startLoopback } from "../scripts/loopback.js";
import { runnerBin } from "../scripts/runner-bin.js";
import { nextDelivery, percentile } from "./measure.js";

const RUNS = Number(process.env.RUNS ?? 10);

const FILES = {
  "README.md": "# widgets\n",
  ".github/workflows/flotilla-agent.yml": readFileSync(".github/workflows/flotilla-agent.yml", "utf8"),
  ".github/flotilla.yml": `backend: actions\n${scriptedAgentConfig()}\n`,
};
const HELLO = "Say hello.\n\n```flotilla-script\nwrite hello.txt <<EOF\nhello\nEOF\n```\n";

function summary(name: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  return `  ${name.padEnd(34)} p50 ${String(percentile(sorted, 50)).padStart(5)} ms   max ${String(sorted.at(-1)).padStart(5)} ms`;
}

const world = await startLoopback({ repo: "acme/widgets", files: FILES, people: { alice: "write" } });
try {
  const { script, webhooks, meter } = world.sandbox;
  script.runAgentWorkflows({ path: [runnerBin()] });
  const on = (listener: (d: Delivery) => void) => webhooks.onDelivery(listener);
  const event = (name: string, action: string) => (d: Delivery) => d.event === name && d.action === action;
  const toDispatch: number[] = [];
  const run: number[] = [];
  const toPr: number[] = [];
  const total: number[] = [];
  let requests = { app: { reads: 0, writes: 0 }, job: { reads: 0, writes: 0 } };
  for (let i = 0; i < RUNS; i++) {
    const { number: issue } = await script.openIssue({
      repo: "acme/widgets",
      title: `hello (${i})`,
      body: HELLO,
      user: "alice",
    });
    await webhooks.settled();
    meter.reset();
    const requested = nextDelivery(on, event("workflow_run", "requested"));
    const completed = nextDelivery(on, event("workflow_run", "completed"));
    const opened = nextDelivery(on, event("pull_request", "opened"));
    const labelledAt = Date.now();
    await script.addLabel({ repo: "acme/widgets", issue, label: "agent:scripted", user: "alice" });
    const [a, b, c] = [(await requested).sentAt, (await completed).sentAt, (await opened).sentAt];
    toDispatch.push(a - labelledAt);
    run.push(b - a);
    toPr.push(c - b);
    total.push(c - labelledAt);
    await webhooks.settled();
    // The status comment's last edit and the slot's release follow the PR; let them land in the count.
    await new Promise((r) => setTimeout(r, 500));
    const byInstallation = meter.snapshot().byInstallation;
    const app = byInstallation[String(world.installationId)] ?? { reads: 0, writes: 0 };
    const job = Object.entries(byInstallation)
      .filter(([who]) => who !== String(world.installationId) && who !== "app" && who !== "anonymous")
      .reduce((sum, [, n]) => ({ reads: sum.reads + n.reads, writes: sum.writes + n.writes }), {
        reads: 0,
        writes: 0,
      });
    requests = { app, job };
  }
  console.log(`actions backend, label → pull request, scripted agent, one task at a time (n=${RUNS})`);
  console.log(summary("label → dispatched", toDispatch));
  console.log(summary("the run (sandbox runner + agent)", run));
  console.log(summary("run completed → PR opened", toPr));
  console.log(summary("label → PR opened", total));
  console.log("\nGitHub REST requests per task (the last one)");
  console.log(`  Flotilla's App:     ${requests.app.reads} reads, ${requests.app.writes} writes`);
  console.log(`  the job's token:    ${requests.job.reads} reads, ${requests.job.writes} writes`);
} finally {
  await world.stop();
}
