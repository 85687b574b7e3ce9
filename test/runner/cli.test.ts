import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import type { RunBundle } from "../../src/runner/result-bundle.js";
import { flotillaRunner } from "../helpers/flotilla-runner.js";
import { createRepo, SCRIPTED_AGENT, scriptPrompt } from "./fixtures.js";

// `flotilla-runner` as the Actions job runs it: in a checkout, with a task spec, writing a result bundle.

const SECRET = "sk-ant-api03-planted-in-the-runner-env-0123456789";

let tmp: string;
let checkout: string;

function runner(args: string[], env: Record<string, string> = {}) {
  return flotillaRunner(args, { cwd: checkout, env });
}

function spec(overrides: Record<string, unknown> = {}, body = "Do it.") {
  return {
    version: 1,
    repo: "acme/widgets",
    agentName: "scripted",
    agent: {
      adapter: "command",
      command: ["node", SCRIPTED_AGENT, "{prompt_file}"],
      timeout: 30_000,
      maxOutput: 1024 * 1024,
      secrets: ["ANTHROPIC_API_KEY"],
    },
    request: { issue: { number: 7, title: "Greet in French", body } },
    ...overrides,
  };
}

function writeSpec(value: unknown): string {
  const path = join(tmp, "task.json");
  writeFileSync(path, typeof value === "string" ? value : JSON.stringify(value));
  return path;
}

function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), "flotilla-runner-cli-"));
  checkout = join(tmp, "checkout");
  createRepo(checkout, { "greet.js": 'export const greeting = "hello";\n' });
});

afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe("flotilla-runner", () => {
  it("runs the task in the current checkout and writes result.json with the changeset's files beside it", async () => {
    const task = writeSpec(
      spec(
        {},
        scriptPrompt(`
replace greet.js <<EOF
-export const greeting = "hello";
+export const greeting = "bonjour";
EOF
write NOTES.md <<EOF
Greets in French now.
EOF
echo Greeting changed to French.`),
      ),
    );
    const out = join(tmp, "out");

    const { code, stderr } = await runner(["--task", task, "--out", out], { ANTHROPIC_API_KEY: SECRET });

    expect(code).toBe(0);
    expect(stderr).toContain("flotilla-runner: success; 2 changed files");
    const bundle = JSON.parse(readFileSync(join(out, "result.json"), "utf8")) as RunBundle;
    expect(bundle).toMatchObject({
      version: 1,
      agent: "scripted",
      outcome: { kind: "success" },
      summary: expect.stringContaining("Greeting changed to French."),
      usage: {},
      exit: { code: 0, signal: null },
    });
    expect(bundle.timings.durationMs).toBeGreaterThanOrEqual(bundle.timings.agentMs);
    expect(bundle.log).toContain("Greeting changed to French.");
    const files = Object.fromEntries(
      bundle.changeset.files.map((f) => [
        f.path,
        f.content ? readFileSync(join(out, f.content), "utf8") : null,
      ]),
    );
    expect(files).toEqual({
      "NOTES.md": "Greets in French now.\n",
      "greet.js": 'export const greeting = "bonjour";\n',
    });
  });

  it("keeps a secret of its environment out of every file it writes, even when the agent prints it", async () => {
    const task = writeSpec(spec({}, scriptPrompt("printenv ANTHROPIC_API_KEY\necho done")));
    const out = join(tmp, "out");

    const { code, stderr } = await runner(["--task", task, "--out", out], { ANTHROPIC_API_KEY: SECRET });

    expect(code).toBe(0);
    expect(stderr).not.toContain(SECRET);
    const written = allFiles(out);
    expect(written.length).toBeGreaterThan(0);
    for (const file of written) expect(readFileSync(file, "utf8")).not.toContain(SECRET);
    expect(readFileSync(join(out, "result.json"), "utf8")).toContain("ANTHROPIC_API_KEY=[redacted]");
  });

  it("publishes nothing of a changeset the agent wrote its secret into", async () => {
    const task = writeSpec(
      spec({}, scriptPrompt(`write config.js <<EOF\nexport const key = "${SECRET}";\nEOF`)),
    );
    const out = join(tmp, "out");

    expect((await runner(["--task", task, "--out", out], { ANTHROPIC_API_KEY: SECRET })).code).toBe(0);

    const bundle = JSON.parse(readFileSync(join(out, "result.json"), "utf8")) as RunBundle;
    expect(bundle.outcome).toEqual({
      kind: "agent-error",
      message:
        "The agent wrote a secret into its changes (ANTHROPIC_API_KEY in config.js), so none of them is kept.",
    });
    expect(bundle.changeset.files).toEqual([]);
    for (const file of allFiles(out)) expect(readFileSync(file, "utf8")).not.toContain(SECRET);
  });

  it("exits 2 naming the field when the task spec is invalid, and writes nothing", async () => {
    const task = writeSpec(spec({ agent: { adapter: "claude", timeout: "45m", maxOutput: 1 }, extra: true }));
    const out = join(tmp, "out");

    const { code, stderr } = await runner(["--task", task, "--out", out]);

    expect(code).toBe(2);
    expect(stderr).toContain("the task spec is invalid");
    expect(stderr).toMatch(/agent\.timeout: .*number/);
    expect(stderr).toMatch(/extra/);
    expect(() => readdirSync(out)).toThrow();
  });

  it("exits 2 naming the field when the agent's CLI could not run with a setting", async () => {
    const agent = { adapter: "opencode", model: "no-provider", timeout: 1000, maxOutput: 1000 };
    const { code, stderr } = await runner(["--task", writeSpec(spec({ agent })), "--out", join(tmp, "out")]);

    expect(code).toBe(2);
    expect(stderr).toMatch(/agent\.model: OpenCode names a model as provider\/model/);
  });

  it("exits 2 when the task spec is not JSON or cannot be read", async () => {
    expect(await runner(["--task", writeSpec("{ not json"), "--out", join(tmp, "out")])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("the task spec is not JSON"),
    });
    expect(await runner(["--task", join(tmp, "missing.json"), "--out", join(tmp, "out")])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("cannot read the task spec"),
    });
  });

  it("exits 2 with its usage when an argument is missing or unknown", async () => {
    expect(await runner(["--task", writeSpec(spec())])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("flotilla-runner --task task.json --out DIR"),
    });
    expect((await runner(["--task", "t.json", "--out", "o", "--token", "x"])).code).toBe(2);
  });

  it("exits 1 saying why when the agent cannot be run, such as a secret missing from its environment", async () => {
    const { code, stderr } = await runner(["--task", writeSpec(spec()), "--out", join(tmp, "out")]);

    expect(code).toBe(1);
    expect(stderr).toContain("the agent needs the secret ANTHROPIC_API_KEY");
  });
});
