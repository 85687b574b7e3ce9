import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Redis } from "ioredis";
import { configWithScriptedAgent, type Loop, scriptedIssue, startLoop, waitFor } from "../helpers/loop.js";

// A secret the worker gives an agent must not come back out anywhere: not in the status comment, the pull
// request, Flotilla's logs, the task records or any queue job in Redis.

const SECRET = "sk-ant-api03-planted-for-the-scan-0123456789abcdef";
const logs: string[] = [];

let loop: Loop;
beforeAll(async () => {
  loop = await startLoop({
    files: {
      "README.md": "# widgets\n",
      ".github/flotilla.yml": [
        `${configWithScriptedAgent()}\n    secrets: [WIDGETS_API_KEY]`,
        // Agents that handle the key the way a careless one would: print it, write it into the change.
        ...["printer", "leaker"].map((name) =>
          [
            `  ${name}:`,
            "    adapter: command",
            `    command: [sh, -c, ${JSON.stringify(
              name === "printer"
                ? 'echo "using key=$WIDGETS_API_KEY"; echo fixed > fix.txt'
                : 'printenv WIDGETS_API_KEY > key.txt; echo "wrote $WIDGETS_API_KEY"',
            )}]`,
            "    secrets: [WIDGETS_API_KEY]",
          ].join("\n"),
        ),
        "",
      ].join("\n"),
    },
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", WIDGETS_API_KEY: SECRET },
    logTo: { write: (line) => void logs.push(line) },
  });
});
afterAll(() => loop.stop());

/** Every value in Redis, whatever its type: task hashes, BullMQ job hashes, lists, sets, streams. */
async function everythingIn(redis: Redis): Promise<string> {
  const out: string[] = [];
  for (const key of await redis.keys("*")) {
    const type = await redis.type(key);
    if (type === "string") out.push((await redis.get(key)) ?? "");
    else if (type === "hash") out.push(JSON.stringify(await redis.hgetall(key)));
    else if (type === "list") out.push(...(await redis.lrange(key, 0, -1)));
    else if (type === "set") out.push(...(await redis.smembers(key)));
    else if (type === "zset") out.push(...(await redis.zrange(key, 0, -1)));
    else if (type === "stream") out.push(JSON.stringify(await redis.xrange(key, "-", "+")));
    out.push(key);
  }
  return out.join("\n");
}

describe("a secret in the agent's environment", () => {
  it("appears in no comment, pull request, log line, task record or queue job", async () => {
    const runs = [
      { issue: await loop.openIssue("print and change", "Fix it."), agent: "printer" },
      {
        issue: await loop.openIssue(
          "print and fail",
          scriptedIssue('printenv WIDGETS_API_KEY\nexit 3 "crashed"'),
        ),
        agent: "scripted",
      },
      { issue: await loop.openIssue("commit the key", "Fix it."), agent: "leaker" },
    ];
    for (const { issue, agent } of runs) await loop.label(issue, `agent:${agent}`);
    const states = () =>
      Promise.all(runs.map(async ({ issue, agent }) => (await loop.redisTask(issue, agent))?.state));

    await waitFor(
      "all three tasks to settle",
      async () =>
        (await states()).every((s) => s && !["queued", "dispatched", "running", "publishing"].includes(s)),
      60_000,
    );
    await loop.drainUpdates();

    // The runs did what they were asked, so there was something to leak.
    expect(await states()).toEqual(["checking", "failed", "failed"]);
    expect((await loop.redisTask(runs[2]?.issue ?? 0, "leaker"))?.error?.message).toContain(
      "wrote a secret into its changes (WIDGETS_API_KEY in key.txt)",
    );
    const pulls = await loop.pulls();
    expect(pulls.map((p) => p.head)).toEqual([`flotilla/${runs[0]?.issue}-printer`]);
    expect(pulls[0]?.body).toContain("using key=[redacted]");

    const comments = (await Promise.all(runs.map(({ issue }) => loop.comments(issue)))).flat();
    expect(comments.length).toBeGreaterThanOrEqual(3);
    const redis = loop.redis.connect();
    try {
      const seen = {
        comments: comments.map((c) => c.body).join("\n"),
        pulls: pulls.map((p) => `${p.title}\n${p.body}`).join("\n"),
        logs: logs.join(""),
        redis: await everythingIn(redis),
      };
      expect(seen.logs).toContain("agent finished");
      expect(seen.redis).toContain("checking");
      for (const [where, text] of Object.entries(seen)) {
        expect({ where, leaked: text.includes(SECRET) }).toEqual({ where, leaked: false });
      }
    } finally {
      redis.disconnect();
    }
  }, 90_000);
});
