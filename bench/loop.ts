/**
 * The loop's figures, on loopback (GitHub sandbox, Flotilla with its embedded redis-server, the scripted
 * agent as a real process):
 *
 *   1. webhook acknowledgement latency for `issues.labeled`, p50 and p99, as GitHub (the sandbox) times it:
 *      from sending the delivery to reading Flotilla's response. Only the webhook server runs, so every
 *      sample is the same path: the handler reads the repository config, checks the sender, enqueues.
 *   2. time from label to pull request, one task at a time, with the scripted agent;
 *   3. GitHub API requests per task (REST reads and writes, and git transfers), from the sandbox's meter.
 *
 *   npm run bench:loop           (LABELS=300 RUNS=10 by default)
 *
 * Octokit's throttling (writes paced a second apart, for github.com) is off here, as in the demo: these are
 * Flotilla's own costs. Nothing leaves the machine.
 */

import type { Delivery } from "../sandbox/webhooks/webhooks.js";
import { scriptedAgentConfig, startLoopback } from "../scripts/loopback.js";
import { nextDelivery, percentile } from "./measure.js";

const LABELS = Number(process.env.LABELS ?? 300);
const RUNS = Number(process.env.RUNS ?? 10);

const FILES = {
  "README.md": "# widgets\n",
  "src/add.js": "export function add(a, b) {\n  return a - b;\n}\n",
  // Label to pull request: the judge (docs/judge.md) is off here, so the figures stay those of the loop.
  ".github/flotilla.yml": `judge:\n  enabled: false\n${scriptedAgentConfig()}\n`,
};
const FIX = [
  "Fix add().",
  "",
  "```flotilla-script",
  "replace src/add.js <<EOF",
  "-  return a - b;",
  "+  return a + b;",
  "EOF",
  "```",
].join("\n");

const issueOf = (d: Delivery) => (d.payload as { issue?: { number: number } }).issue?.number;

async function ackLatency(): Promise<void> {
  const world = await startLoopback({
    repo: "acme/widgets",
    files: FILES,
    people: { alice: "write" },
    roles: { app: true, worker: false },
  });
  try {
    const { script, webhooks } = world.sandbox;
    const issues: number[] = [];
    for (let i = 0; i < LABELS; i++) {
      issues.push(
        (await script.openIssue({ repo: "acme/widgets", title: `bench ${i}`, user: "alice" })).number,
      );
    }
    await webhooks.settled();
    for (const issue of issues) {
      await script.addLabel({ repo: "acme/widgets", issue, label: "agent:scripted", user: "alice" });
      await webhooks.settled();
    }
    const labelled = webhooks.deliveries.filter((d) => d.event === "issues" && d.action === "labeled");
    const failed = labelled.filter((d) => d.statusCode !== 200);
    if (failed.length > 0) throw new Error(`${failed.length} label deliveries failed: ${failed[0]?.error}`);
    const [first, ...rest] = labelled.map((d) => d.durationMs);
    const sorted = rest.sort((a, b) => a - b);
    console.log(`webhook ack, issues.labeled (n=${sorted.length}, after the first)`);
    console.log(
      `  p50 ${percentile(sorted, 50)} ms   p99 ${percentile(sorted, 99)} ms   max ${sorted.at(-1)} ms`,
    );
    console.log(`  the first one (mints the installation token, fills the permission cache): ${first} ms`);
  } finally {
    await world.stop();
  }
}

async function labelToPullRequest(): Promise<void> {
  const world = await startLoopback({ repo: "acme/widgets", files: FILES, people: { alice: "write" } });
  try {
    const { script, webhooks, meter } = world.sandbox;
    const on = (listener: (d: Delivery) => void) => webhooks.onDelivery(listener);
    const toPr: number[] = [];
    const toStatus: number[] = [];
    const perTask: { reads: number; writes: number; git: number; byRoute: Record<string, number> }[] = [];
    for (let i = 0; i < RUNS; i++) {
      const { number: issue } = await script.openIssue({
        repo: "acme/widgets",
        title: `add() subtracts (${i})`,
        body: FIX,
        user: "alice",
      });
      await webhooks.settled();
      meter.reset();
      const opened = nextDelivery(on, (d) => d.event === "pull_request" && d.action === "opened");
      const done = nextDelivery(
        on,
        (d) =>
          d.event === "issue_comment" &&
          issueOf(d) === issue &&
          /Pull request opened/.test((d.payload as { comment: { body: string } }).comment.body),
      );
      const labelledAt = Date.now();
      await script.addLabel({ repo: "acme/widgets", issue, label: "agent:scripted", user: "alice" });
      toPr.push((await opened).sentAt - labelledAt);
      toStatus.push((await done).sentAt - labelledAt);
      await webhooks.settled();
      // The worker frees the slot and closes the workspace after the last comment edit; let it finish.
      await new Promise((r) => setTimeout(r, 500));
      const snapshot = meter.snapshot();
      const git = Object.entries(snapshot.byRoute)
        .filter(([route]) => route.startsWith("GIT "))
        .reduce((sum, [, n]) => sum + n, 0);
      perTask.push({ reads: snapshot.reads - git, writes: snapshot.writes, git, byRoute: snapshot.byRoute });
    }
    const sortedPr = [...toPr].sort((a, b) => a - b);
    const sortedStatus = [...toStatus].sort((a, b) => a - b);
    console.log(`\nlabel → pull request, scripted agent, one task at a time (n=${RUNS})`);
    console.log(`  PR opened:              p50 ${percentile(sortedPr, 50)} ms   max ${sortedPr.at(-1)} ms`);
    console.log(
      `  status comment says so: p50 ${percentile(sortedStatus, 50)} ms   max ${sortedStatus.at(-1)} ms`,
    );
    // The first task also creates the repository's mirror; the rest are typical.
    const typical = perTask.at(-1);
    if (!typical) return;
    console.log("\nGitHub requests per task (the last one; the first also fills the mirror and caches)");
    console.log(`  REST: ${typical.reads} reads, ${typical.writes} writes; git: ${typical.git} (fetch)`);
    for (const [route, n] of Object.entries(typical.byRoute).sort()) console.log(`    ${n}  ${route}`);
    const first = perTask[0];
    if (first)
      console.log(`  first task: REST ${first.reads} reads, ${first.writes} writes; git: ${first.git}`);
  } finally {
    await world.stop();
  }
}

await ackLatency();
await labelToPullRequest();
