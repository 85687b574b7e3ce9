import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { configWithScriptedAgent, type Loop, scriptedIssue, startLoop, waitFor } from "../helpers/loop.js";
import { parsePrometheus, sample } from "../helpers/prometheus.js";

// What an operator scrapes and probes: /metrics, /healthz and /readyz, on the running App.

let loop: Loop;
let base: string;

beforeAll(async () => {
  loop = await startLoop({
    files: { "README.md": "# widgets\n", ".github/flotilla.yml": configWithScriptedAgent() },
  });
  base = `http://127.0.0.1:${loop.flotilla.port}`;
});
afterAll(() => loop.stop());

async function get(path: string): Promise<{ status: number; type: string; body: string }> {
  // No keep-alive: an idle socket would outlive the test file.
  const response = await fetch(`${base}${path}`, { headers: { connection: "close" } });
  return {
    status: response.status,
    type: response.headers.get("content-type") ?? "",
    body: await response.text(),
  };
}

describe("/metrics", () => {
  it("parses as Prometheus' text format, and its counters move as a task runs", async () => {
    const before = await get("/metrics");
    expect(before.status).toBe(200);
    expect(before.type).toContain("text/plain; version=0.0.4");
    const families = parsePrometheus(before.body);
    for (const [name, type] of [
      ["flotilla_tasks", "GAUGE"],
      ["flotilla_queue_jobs", "GAUGE"],
      ["flotilla_tasks_finished_total", "COUNTER"],
      ["flotilla_github_requests_total", "COUNTER"],
      ["flotilla_task_run_seconds", "HISTOGRAM"],
      ["flotilla_task_queue_wait_seconds", "HISTOGRAM"],
      ["flotilla_webhook_handler_seconds", "HISTOGRAM"],
      ["process_cpu_user_seconds_total", "COUNTER"],
    ] as const)
      expect(families.get(name)?.type).toBe(type);
    const finished = { state: "checking", agent: "scripted", repo: "acme/widgets" };
    const ran = { backend: "local", agent: "scripted" };
    const requestsBefore = total(before.body, "flotilla_github_requests_total");

    const issue = await loop.openIssue("Greet", scriptedIssue("write hello.txt <<EOF\nhello\nEOF"));
    await loop.label(issue, "agent:scripted");
    await waitFor("the task to finish", async () => (await loop.redisTask(issue))?.state === "checking");
    await loop.drainUpdates();

    const after = (await get("/metrics")).body;
    parsePrometheus(after);
    expect(sample(after, "flotilla_tasks_finished_total", finished)).toBe(
      (sample(before.body, "flotilla_tasks_finished_total", finished) ?? 0) + 1,
    );
    expect(sample(after, "flotilla_task_run_seconds_count", ran)).toBe(
      (sample(before.body, "flotilla_task_run_seconds_count", ran) ?? 0) + 1,
    );
    expect(sample(after, "flotilla_task_run_seconds_bucket", { ...ran, le: "+Inf" })).toBe(
      sample(after, "flotilla_task_run_seconds_count", ran),
    );
    expect(
      sample(after, "flotilla_task_queue_wait_seconds_count", { backend: "local" }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(after, "flotilla_webhook_handler_seconds_count", { event: "issues" }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(after, "flotilla_tasks", { state: "checking" })).toBeGreaterThanOrEqual(1);
    // The task's own GitHub calls (status comment, commit, PR), and the rate limit GitHub reported with them.
    expect(total(after, "flotilla_github_requests_total")).toBeGreaterThan(requestsBefore + 5);
    const remaining = sample(after, "flotilla_github_rate_limit_remaining", { resource: "core" });
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThan(5000);
  });
});

describe("/healthz and /readyz", () => {
  it("say the App is up, and ready only while Redis keeps everything it is given", async () => {
    expect(await get("/healthz")).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    expect(await get("/readyz")).toMatchObject({ status: 200, body: '{"status":"ready"}' });
    const admin = loop.redis.connect();
    try {
      await admin.config("SET", "maxmemory-policy", "allkeys-lru");
      const notReady = await get("/readyz");
      expect(notReady.status).toBe(503);
      expect(JSON.parse(notReady.body)).toEqual({
        status: "not ready",
        problems: ["Redis maxmemory-policy is allkeys-lru; Flotilla needs noeviction"],
      });
    } finally {
      await admin.config("SET", "maxmemory-policy", "noeviction");
    }
    expect((await get("/readyz")).status).toBe(200);
  });
});

/** A counter's value summed over all its label sets. */
function total(text: string, name: string): number {
  return (
    parsePrometheus(text)
      .get(name)
      ?.metrics.reduce((sum, m) => sum + Number(m.value ?? 0), 0) ?? 0
  );
}
