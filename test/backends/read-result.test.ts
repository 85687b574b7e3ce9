import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { RESULT_ARTIFACT, readRunResult } from "../../src/backends/actions/read-result.js";
import type { Task } from "../../src/fleet/task.js";
import type { GitHub } from "../../src/github/octokit.js";
import { draft } from "../fleet/drafts.js";
import { startWorld, type World } from "../helpers/sandbox.js";

// The App's checks on a finished run's artifact, before anything in it is published.

const TEMPLATE = readFileSync(".github/workflows/flotilla-agent.yml", "utf8");

let world: World;
let gh: GitHub;
let task: Task;

beforeAll(async () => {
  world = await startWorld({
    files: { "README.md": "# widgets\n", ".github/workflows/flotilla-agent.yml": TEMPLATE },
  });
  gh = world.installationOctokit() as unknown as GitHub;
  const { data: repo } = await gh.rest.repos.get({ owner: "acme", repo: "widgets" });
  const base = draft(4, "scripted", repo.id);
  task = {
    ...base,
    repo: { ...base.repo, defaultBranch: repo.default_branch },
    settings: { ...base.settings, limits: { maxFilesChanged: 10, maxBytesChanged: 1000 } },
    state: "running",
    attempt: 1,
    version: 1,
    createdAt: "2026-12-02T04:00:00Z",
    updatedAt: "2026-12-02T04:00:00Z",
  };
});
afterAll(() => world.stop());

function bundle(overrides: Record<string, unknown> = {}, files: Record<string, unknown>[] = []) {
  return {
    version: 1,
    agent: "scripted",
    outcome: { kind: "success" },
    summary: "Greets in French now.",
    usage: { turns: 2 },
    timings: {
      startedAt: "2026-12-02T04:00:00Z",
      finishedAt: "2026-12-02T04:00:05Z",
      durationMs: 5000,
      agentMs: 4800,
    },
    exit: { code: 0, signal: null },
    log: "done\n",
    changeset: { baseSha: world.repo.headSha, files },
    ...overrides,
  };
}

const GREET = {
  path: "greet.txt",
  status: "added",
  mode: "100644",
  binary: false,
  bytes: 8,
  content: "files/0",
};

/** A completed run of the agent workflow whose artifact holds `files` (none: no artifact at all). */
async function runWith(files?: Record<string, string | Buffer>): Promise<number> {
  const { data } = await gh.request("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", {
    owner: "acme",
    repo: "widgets",
    workflow_id: "flotilla-agent.yml",
    ref: "main",
    inputs: {
      task: task.id,
      attempt: "1",
      dispatch: "1",
      role: "code",
      issue: "4",
      agent: "scripted",
      base: "main",
      triggered_at: "2026-12-02T04:00:00Z",
      digest: "0".repeat(64),
      minutes: 20,
    },
    return_run_details: true,
  });
  const runId = (data as { workflow_run_id: number }).workflow_run_id;
  await world.sandbox.script.completeRun({
    repo: "acme/widgets",
    runId,
    conclusion: "success",
    ...(files ? { artifacts: { [RESULT_ARTIFACT]: files } } : {}),
  });
  return runId;
}

async function read(files?: Record<string, string | Buffer>) {
  return readRunResult(gh, task, await runWith(files));
}

describe("a run's result artifact", () => {
  it("is read back as the runner wrote it, each change's content by its path", async () => {
    const result = await read({
      "result.json": JSON.stringify(bundle({}, [GREET])),
      "files/0": "bonjour\n",
    });
    if (result.kind !== "run") throw new Error(`expected a run, got ${JSON.stringify(result)}`);
    expect(result.bundle.summary).toBe("Greets in French now.");
    const [change] = result.bundle.changeset.files;
    expect(change?.path).toBe("greet.txt");
    expect(result.read({ ...GREET, status: "added", mode: "100644" }).toString()).toBe("bonjour\n");
  });

  it("says why when the runner did not start the agent", async () => {
    const result = await read({
      "result.json": JSON.stringify({
        version: 1,
        agent: "scripted",
        refused: { message: "Issue #4 was edited" },
      }),
    });
    expect(result).toEqual({ kind: "refused", message: "Issue #4 was edited" });
  });

  const cases: [string, () => Record<string, string | Buffer> | undefined, string][] = [
    ["it is missing", () => undefined, "the run left no `flotilla-result` artifact"],
    ["it has no result.json", () => ({ "notes.txt": "hi" }), "has no result.json"],
    ["its result.json is not JSON", () => ({ "result.json": "{oops" }), "its result.json is not JSON"],
    [
      "a change is outside the repository",
      () => ({
        "result.json": JSON.stringify(bundle({}, [{ ...GREET, path: "../../etc/cron.d/x" }])),
        "files/0": "bonjour\n",
      }),
      "changeset.files.0.path: a relative path inside the repository",
    ],
    [
      "a change is inside .git",
      () => ({
        "result.json": JSON.stringify(bundle({}, [{ ...GREET, path: ".git/hooks/pre-commit" }])),
        "files/0": "bonjour\n",
      }),
      "changeset.files.0.path",
    ],
    [
      "a change is inside a nested .git",
      () => ({
        "result.json": JSON.stringify(bundle({}, [{ ...GREET, path: "vendor/lib/.GIT/config" }])),
        "files/0": "bonjour\n",
      }),
      "changeset.files.0.path: a relative path inside the repository",
    ],
    [
      "two changes name the same path",
      () => ({
        "result.json": JSON.stringify(bundle({}, [GREET, { ...GREET, content: "files/1" }])),
        "files/0": "bonjour\n",
        "files/1": "hello!!\n",
      }),
      "changeset.files: each path is changed once",
    ],
    [
      "a rename does not name its previous path",
      () => ({
        "result.json": JSON.stringify(bundle({}, [{ ...GREET, status: "renamed" }])),
        "files/0": "bonjour\n",
      }),
      "changeset.files.0.previousPath",
    ],
    [
      "a file that is not deleted has no mode",
      () => ({
        "result.json": JSON.stringify(bundle({}, [{ ...GREET, mode: null }])),
        "files/0": "bonjour\n",
      }),
      "changeset.files.0.mode",
    ],
    [
      "it holds a field the runner never writes",
      () => ({ "result.json": JSON.stringify(bundle({ token: "x" })) }),
      "does not match this Flotilla's runner format",
    ],
    [
      "it lacks a change's content",
      () => ({ "result.json": JSON.stringify(bundle({}, [GREET])) }),
      "lists greet.txt but the artifact lacks files/0",
    ],
    [
      "a content is not the size it claims",
      () => ({ "result.json": JSON.stringify(bundle({}, [GREET])), "files/0": "bonjour, le monde\n" }),
      "says greet.txt has 8 bytes, the artifact holds 18",
    ],
    [
      "it is for another agent",
      () => ({ "result.json": JSON.stringify(bundle({ agent: "claude" })) }),
      "is for the agent `claude`, not `scripted`",
    ],
    [
      "it is larger than any valid result",
      () => ({ "result.json": JSON.stringify(bundle()), "files/0": Buffer.alloc(9 * 1024 * 1024) }),
      "more than",
    ],
  ];
  it.each(cases)("is refused when %s, and nothing is published", async (_case, files, reason) => {
    const result = await read(files());
    expect(result.kind).toBe("invalid");
    if (result.kind !== "invalid") return;
    expect(result.message).toContain(reason);
    expect(result.message).toMatch(/Nothing was pushed\.$/);
  });

  it("is refused when its changes start from a commit that is not on the default branch", async () => {
    const { sha } = await world.sandbox.script.pushFiles({
      repo: "acme/widgets",
      branch: "elsewhere",
      files: { "evil.txt": "not on main\n" },
    });
    const result = await read({
      "result.json": JSON.stringify(bundle({ changeset: { baseSha: sha, files: [GREET] } })),
      "files/0": "bonjour\n",
    });
    expect(result.kind).toBe("invalid");
    expect(result.kind === "invalid" && result.message).toContain(`start from ${sha}, which is not on main`);
  });

  it("of an iteration is taken only when its changes start from the head the iteration was asked on", async () => {
    const { sha: head } = await world.sandbox.script.pushFiles({
      repo: "acme/widgets",
      branch: "flotilla/4-scripted",
      files: { "greet.txt": "hello\n" },
    });
    const iterating = { ...task, iteration: { headSha: head, feedback: [], automatic: false } };
    const from = async (baseSha: string) =>
      readRunResult(
        gh,
        iterating,
        await runWith({
          "result.json": JSON.stringify(bundle({ changeset: { baseSha, files: [GREET] } })),
          "files/0": "bonjour\n",
        }),
      );
    expect((await from(head)).kind).toBe("run");
    const fromMain = await from(world.repo.headSha);
    expect(fromMain.kind === "invalid" && fromMain.message).toContain(
      `start from ${world.repo.headSha}, not from the pull request's head ${head}`,
    );
  });

  it("of the judge is its answer only: the agent must be the judge, and changes are not read", async () => {
    const judged = {
      ...task,
      settings: {
        ...task.settings,
        judge: {
          name: "codex",
          agent: task.settings.agent,
          sameAsAuthor: false,
          maxRounds: 0,
          ciTimeoutMs: 1,
        },
      },
    };
    const answer = (agent: string) => ({
      "result.json": JSON.stringify(
        bundle({ agent, changeset: { baseSha: "f".repeat(40), files: [GREET] } }),
      ),
      "files/0": "bonjour\n",
    });
    const result = await readRunResult(gh, judged, await runWith(answer("codex")), "judge");
    if (result.kind !== "run") throw new Error(`expected a run, got ${JSON.stringify(result)}`);
    expect(result.bundle.summary).toBe("Greets in French now.");
    expect(result.bundle.changeset.files).toEqual([]);
    const other = await readRunResult(gh, judged, await runWith(answer("scripted")), "judge");
    expect(other.kind === "invalid" && other.message).toContain("for the agent `scripted`, not `codex`");
  });
});
