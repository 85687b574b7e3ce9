/**
 * What the GitHub sandbox itself costs, so later benchmarks can tell Flotilla's time from the sandbox's:
 * REST latency with and without response validation, and webhook delivery latency.
 *
 *   npm run bench:sandbox             (REQUESTS=500 WEBHOOKS=200 by default)
 *
 * Everything runs on loopback, bounded in count; nothing leaves the machine.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ProbotOctokit } from "probot";
import { Sandbox } from "../sandbox/index.js";

const REQUESTS = Number(process.env.REQUESTS ?? 500);
const WEBHOOKS = Number(process.env.WEBHOOKS ?? 200);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function summary(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = samples.reduce((a, b) => a + b, 0);
  return `${label.padEnd(44)} p50 ${percentile(sorted, 50).toFixed(2)} ms  p95 ${percentile(sorted, 95).toFixed(2)} ms  (${(samples.length / (total / 1000)).toFixed(0)}/s sequential, n=${samples.length})`;
}

/**
 * Sequential reads of one issue: with plain fetch (the sandbox's own cost), or through Probot's Octokit as
 * the App makes them (adds the client's plugins: auth, retry, throttling).
 */
async function restLatency(validateResponses: boolean, client: "fetch" | "octokit"): Promise<number[]> {
  const sandbox = await Sandbox.start({ validateResponses });
  try {
    const app = sandbox.script.createApp({ name: "Bench" });
    await sandbox.script.createRepo({ owner: "acme", name: "widgets", files: { "README.md": "# w\n" } });
    const installation = sandbox.script.installApp({ appId: app.id, account: "acme" });
    sandbox.script.createUser({ login: "alice" });
    const issue = await sandbox.script.openIssue({ repo: "acme/widgets", title: "Bench", user: "alice" });
    const octokit = new ProbotOctokit({
      baseUrl: sandbox.baseUrl,
      auth: { appId: app.id, privateKey: app.privateKey, installationId: installation.id },
    });
    const { token } = (await octokit.auth({ type: "installation" })) as { token: string };
    const url = `${sandbox.baseUrl}/repos/acme/widgets/issues/${issue.number}`;
    const read =
      client === "octokit"
        ? () => octokit.rest.issues.get({ owner: "acme", repo: "widgets", issue_number: issue.number })
        : () => fetch(url, { headers: { authorization: `token ${token}` } }).then((r) => r.json());
    await read(); // token and validators warmed outside the measurement
    const samples: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const started = performance.now();
      await read();
      samples.push(performance.now() - started);
    }
    return samples;
  } finally {
    await sandbox.stop();
  }
}

/** Time from a person's comment (scripted) to the signed delivery arriving at a receiver. */
async function webhookLatency(): Promise<number[]> {
  const arrivals = new Map<number, number>();
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const payload = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { comment?: { id: number } };
      if (payload.comment) arrivals.set(payload.comment.id, performance.now());
      res.writeHead(200);
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const { port } = receiver.address() as AddressInfo;
  const sandbox = await Sandbox.start();
  try {
    const app = sandbox.script.createApp({ name: "Bench", webhookUrl: `http://127.0.0.1:${port}/` });
    await sandbox.script.createRepo({ owner: "acme", name: "widgets", files: { "README.md": "# w\n" } });
    sandbox.script.installApp({ appId: app.id, account: "acme" });
    sandbox.script.createUser({ login: "alice" });
    const issue = await sandbox.script.openIssue({ repo: "acme/widgets", title: "Bench", user: "alice" });
    const sent = new Map<number, number>();
    for (let i = 0; i < WEBHOOKS; i++) {
      const started = performance.now();
      const { id } = sandbox.script.comment({
        repo: "acme/widgets",
        issue: issue.number,
        body: `c${i}`,
        user: "alice",
      });
      sent.set(id, started);
      await sandbox.webhooks.settled();
    }
    return [...sent].map(([id, started]) => (arrivals.get(id) ?? Number.NaN) - started);
  } finally {
    await sandbox.stop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
}

console.log(`node ${process.version}, sandbox benchmark`);
console.log(summary("REST GET issue (fetch), responses validated", await restLatency(true, "fetch")));
console.log(summary("REST GET issue (fetch), validation off", await restLatency(false, "fetch")));
console.log(summary("REST GET issue (Probot's Octokit), validated", await restLatency(true, "octokit")));
console.log(summary("webhook: scripted comment → signed delivery", await webhookLatency()));
