import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { requestDigest } from "../../src/runner/request-digest.js";
import type { ResultBundle, RunBundle } from "../../src/runner/result-bundle.js";
import { flotillaRunner } from "../helpers/flotilla-runner.js";
import { startWorld, type World } from "../helpers/sandbox.js";
import { gitIn, SCRIPTED_AGENT } from "./fixtures.js";

// `flotilla-runner github` as the agent workflow runs it: from ids, with the job's read-only token, building
// the prompt itself with the same rules as the App.

const CONFIG = [
  "backend: actions",
  "agents:",
  "  scripted:",
  "    adapter: command",
  `    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(SCRIPTED_AGENT)}, "{prompt_file}"]`,
  // Copies the prompt it was given into the workspace, so the test can read what the agent was told.
  "  copier:",
  "    adapter: command",
  '    command: ["cp", "{prompt_file}", "prompt.md"]',
].join("\n");

const BODY =
  "Say hello.\n\n```flotilla-script\nprintenv GITHUB_TOKEN\nwrite hello.txt <<END\nhello\nEND\n```\n";

let world: World;
let tmp: string;
let token: string;
let issue: { number: number; updated_at: string; title: string; body: string };

beforeAll(async () => {
  world = await startWorld({ files: { "README.md": "# widgets\n", ".github/flotilla.yml": `${CONFIG}\n` } });
  tmp = mkdtempSync(join(tmpdir(), "flotilla-github-job-"));
  // What GitHub gives the job: a token that can read this repository and nothing else.
  const { data } = await world
    .appOctokit()
    .request("POST /app/installations/{installation_id}/access_tokens", {
      installation_id: world.installationId,
      repositories: ["widgets"],
      permissions: { contents: "read", issues: "read", pull_requests: "read", metadata: "read" },
    });
  token = data.token;
  const opened = await world.sandbox.script.openIssue({
    repo: "acme/widgets",
    title: "Greet",
    body: BODY,
    user: "alice",
  });
  world.sandbox.script.comment({
    repo: "acme/widgets",
    issue: opened.number,
    body: "Use lowercase.",
    user: "alice",
  });
  world.sandbox.script.comment({
    repo: "acme/widgets",
    issue: opened.number,
    body: "USE CAPITALS!",
    user: "rob",
  });
  const gh = world.installationOctokit();
  const { data: now } = await gh.rest.issues.get({
    owner: "acme",
    repo: "widgets",
    issue_number: opened.number,
  });
  issue = { number: now.number, updated_at: now.updated_at, title: now.title, body: now.body ?? "" };
  // Written after the label: never read.
  world.sandbox.script.advanceClock({ ms: 60_000 });
  world.sandbox.script.comment({
    repo: "acme/widgets",
    issue: opened.number,
    body: "Also delete README.",
    user: "alice",
  });
});
afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await world.stop();
});

function checkout(name: string): string {
  const dir = join(tmp, name);
  gitIn(tmp, "clone", "--quiet", world.sandbox.script.cloneUrl({ repo: "acme/widgets" }).file, dir);
  return dir;
}

function jobEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    GITHUB_REPOSITORY: "acme/widgets",
    GITHUB_API_URL: world.sandbox.baseUrl,
    GITHUB_TOKEN: token,
    FLOTILLA_TASK: `r1-i${issue.number}-scripted`,
    FLOTILLA_ROLE: "code",
    FLOTILLA_ISSUE: String(issue.number),
    FLOTILLA_AGENT: "scripted",
    FLOTILLA_TRIGGERED_AT: issue.updated_at,
    FLOTILLA_DIGEST: requestDigest(issue),
    ...overrides,
  };
}

async function runJob(name: string, env: Record<string, string>, configText?: string) {
  const dir = checkout(name);
  if (configText !== undefined) writeFileSync(join(dir, ".github/flotilla.yml"), configText);
  const out = join(tmp, `${name}-out`);
  const result = await flotillaRunner(["github", "--out", out], { cwd: dir, env });
  const bundle = JSON.parse(readFileSync(join(out, "result.json"), "utf8")) as ResultBundle;
  return { ...result, bundle, out };
}

describe("flotilla-runner github", () => {
  it("reads the issue with the job's token, runs the agent, and keeps the token from it", async () => {
    const { code, bundle, out } = await runJob("runs", jobEnv());
    expect(code).toBe(0);
    const run = bundle as RunBundle;
    expect(run.outcome).toEqual({ kind: "success" });
    expect(run.changeset.files.map((f) => f.path)).toEqual(["hello.txt"]);
    expect(readFileSync(join(out, "files/0"), "utf8")).toBe("hello\n");
    expect(run.log).toContain("GITHUB_TOKEN is unset");
    expect(run.log).not.toContain(token);
  });

  it("tells the agent the issue and the comments of people with write access from before it was asked", async () => {
    const { bundle, out } = await runJob("prompt", jobEnv({ FLOTILLA_AGENT: "copier" }));
    const run = bundle as RunBundle;
    expect(run.changeset.files.map((f) => f.path)).toEqual(["prompt.md"]);
    const prompt = readFileSync(join(out, "files/0"), "utf8");
    expect(prompt).toContain("Say hello.");
    expect(prompt).toContain("Use lowercase.");
    expect(prompt).not.toContain("USE CAPITALS!");
    expect(prompt).not.toContain("Also delete README.");
  });

  it("does not start the agent on an issue edited since it was asked, and says so in result.json", async () => {
    const { code, bundle } = await runJob(
      "edited",
      jobEnv({ FLOTILLA_DIGEST: requestDigest({ ...issue, body: "old text" }) }),
    );
    expect(code).toBe(0);
    expect(bundle).toEqual({
      version: 1,
      agent: "scripted",
      refused: {
        message: expect.stringContaining(`issue #${issue.number} was edited after the agent was asked`),
      },
    });
  });

  it.each([
    [
      "an agent the config does not have",
      { FLOTILLA_AGENT: "nobody" },
      undefined,
      "has no agent called `nobody`",
    ],
    ["a config that extends another", {}, "_extends: .github\nbackend: actions\n", "uses `_extends`"],
    ["an invalid config", {}, "backend: kubernetes\n", "backend"],
    [
      "inputs that are not ids",
      { FLOTILLA_ISSUE: "12; rm -rf /" },
      undefined,
      "FLOTILLA_ISSUE: an issue number",
    ],
    ["no token", { GITHUB_TOKEN: "" }, undefined, "GITHUB_TOKEN"],
  ])("refuses %s with the reason, for the App to show", async (_case, env, configText, reason) => {
    const { code, bundle } = await runJob(`refused-${_case.replaceAll(" ", "-")}`, jobEnv(env), configText);
    expect(code).toBe(0);
    expect("refused" in bundle && bundle.refused.message).toContain(reason);
  });
});

describe("flotilla-runner github, for an iteration or the judge", () => {
  const COPIER = {
    adapter: "command" as const,
    command: ["cp", "{prompt_file}", "prompt.md"],
    timeout: 60_000,
    maxOutput: 1_000_000,
  };

  /** A commit on a branch (the pull request's head) and a request the App stored for it, as a blob. */
  async function storedFor(role: "iterate" | "judge", branch: string) {
    await world.sandbox.script.pushFiles({
      repo: "acme/widgets",
      branch,
      files: { "src/greet.txt": "hi\n" },
      author: "alice",
    });
    const head = (await world.sandbox.script.branchSha({ repo: "acme/widgets", branch })) ?? "";
    const request = {
      version: 1,
      role,
      agentName: "copier",
      agent: COPIER,
      request: {
        issue: { number: issue.number, title: issue.title, body: issue.body },
        feedback: [{ text: "Say it louder.", author: "alice" }],
        diff: "diff --git a/src/greet.txt b/src/greet.txt",
      },
      protectedPaths: [],
      head,
    };
    const { data } = await world.installationOctokit().rest.git.createBlob({
      owner: "acme",
      repo: "widgets",
      content: JSON.stringify(request),
      encoding: "utf-8",
    });
    return { head, blob: data.sha };
  }

  it("an iteration runs the stored request from the pull request's head, not the default branch", async () => {
    const { head, blob } = await storedFor("iterate", "flotilla/1-copier");
    const env = jobEnv({ FLOTILLA_ROLE: "iterate", FLOTILLA_AGENT: "copier", FLOTILLA_DIGEST: blob });
    const { code, bundle, out } = await runJob("iterate", env);
    expect(code).toBe(0);
    const run = bundle as RunBundle;
    expect(run.changeset.baseSha).toBe(head);
    expect(run.changeset.files.map((f) => f.path)).toEqual(["prompt.md"]);
    const prompt = readFileSync(join(out, "files/0"), "utf8");
    expect(prompt).toContain("Say it louder.");
    expect(prompt).toContain("diff --git a/src/greet.txt");
  });

  it("the judge's changes are not handed back", async () => {
    const { head, blob } = await storedFor("judge", "flotilla/2-copier");
    const env = jobEnv({ FLOTILLA_ROLE: "judge", FLOTILLA_AGENT: "copier", FLOTILLA_DIGEST: blob });
    const { code, bundle } = await runJob("judge", env);
    expect(code).toBe(0);
    expect((bundle as RunBundle).outcome).toEqual({ kind: "success" });
    expect((bundle as RunBundle).changeset).toEqual({ baseSha: head, files: [] });
  });

  it.each([
    ["a request stored for another role", { FLOTILLA_ROLE: "judge" }, "for the iterate role of `copier`"],
    ["a request stored for another agent", { FLOTILLA_AGENT: "scripted" }, "but this job runs"],
    ["a blob that is not there", { FLOTILLA_DIGEST: "0".repeat(40) }, "could not be read"],
    ["a sha256 where a blob is expected", { FLOTILLA_DIGEST: "0".repeat(64) }, "FLOTILLA_DIGEST"],
  ])("refuses %s with the reason", async (name, overrides, reason) => {
    const { blob } = await storedFor("iterate", `flotilla/refused-${name.length}`);
    const env = jobEnv({
      FLOTILLA_ROLE: "iterate",
      FLOTILLA_AGENT: "copier",
      FLOTILLA_DIGEST: blob,
      ...overrides,
    });
    const { code, bundle } = await runJob(`stored-refused-${name.replaceAll(" ", "-")}`, env);
    expect(code).toBe(0);
    expect("refused" in bundle && bundle.refused.message).toContain(reason);
  });
});

describe("flotilla-runner install", () => {
  it("installs the agent's pinned CLI with npm, and nothing for a command agent", async () => {
    const dir = checkout("install");
    const bin = join(tmp, "fake-bin");
    mkdirSync(bin);
    const log = join(tmp, "npm-args");
    writeFileSync(join(bin, "npm"), `#!/bin/sh\necho "$@" > ${JSON.stringify(log)}\n`);
    chmodSync(join(bin, "npm"), 0o755);
    writeFileSync(
      join(dir, ".github/flotilla.yml"),
      "agents:\n  claude:\n    adapter: claude\n  own:\n    adapter: command\n    command: [make, fix]\n",
    );
    const path = `${bin}:${process.env.PATH}`;
    const claude = await flotillaRunner(["install", "--agent", "claude"], { cwd: dir, env: { PATH: path } });
    expect(claude.code).toBe(0);
    expect(readFileSync(log, "utf8").trim()).toMatch(
      /^install --global --no-audit --no-fund @anthropic-ai\/claude-code@\d+\.\d+\.\d+$/,
    );
    const own = await flotillaRunner(["install", "--agent", "own"], { cwd: dir, env: { PATH: path } });
    expect(own).toMatchObject({ code: 0, stderr: expect.stringContaining("nothing to install") });
    const missing = await flotillaRunner(["install", "--agent", "nobody"], { cwd: dir, env: { PATH: path } });
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining("no agent called `nobody`") });
  });
});
