import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { readCi } from "../../src/fleet/review/read-ci.js";
import type { GitHub } from "../../src/github/octokit.js";
import { startWorld, TestOctokit, type TestOctokitInstance, type World } from "../helpers/sandbox.js";

// What the judge waits for and is shown: the repository's CI on a commit, read from the sandbox as another
// App (a CI service) and GitHub Actions report it, with Flotilla's own checks beside them.

let world: World;
let flotilla: GitHub;
let ci: TestOctokitInstance;
const where = { owner: "acme", repo: "widgets" };

beforeAll(async () => {
  world = await startWorld();
  flotilla = world.installationOctokit() as unknown as GitHub;
  const app = world.sandbox.script.createApp({
    name: "Other CI",
    permissions: { checks: "write", statuses: "write", metadata: "read" },
  });
  const installation = world.sandbox.script.installApp({ appId: app.id, account: "acme" });
  ci = new TestOctokit({
    baseUrl: world.sandbox.baseUrl,
    auth: { appId: app.id, privateKey: app.privateKey, installationId: installation.id },
  });
});
afterAll(() => world.stop());

async function commit(name: string): Promise<string> {
  const { sha } = await world.sandbox.script.pushFiles({
    repo: "acme/widgets",
    branch: name,
    files: { [`${name}.txt`]: `${name}\n` },
  });
  return sha;
}

describe("readCi", () => {
  it("reports other Apps' check runs and commit statuses, leaving out Flotilla's own checks", async () => {
    const sha = await commit("mixed");
    await flotilla.rest.checks.create({ ...where, name: "Flotilla", head_sha: sha, status: "in_progress" });
    await ci.rest.checks.create({
      ...where,
      name: "build",
      head_sha: sha,
      status: "completed",
      conclusion: "success",
    });
    await ci.rest.checks.create({
      ...where,
      name: "docs",
      head_sha: sha,
      status: "completed",
      conclusion: "skipped",
    });
    await ci.rest.checks.create({ ...where, name: "e2e", head_sha: sha, status: "in_progress" });
    await ci.rest.checks.create({
      ...where,
      name: "lint",
      head_sha: sha,
      status: "completed",
      conclusion: "failure",
      output: {
        title: "2 problems",
        summary: "Lint failed.",
        annotations: [
          {
            path: "src/a.js",
            start_line: 3,
            end_line: 3,
            annotation_level: "failure",
            message: "no-unused-vars",
          },
        ],
      },
    });
    await ci.rest.repos.createCommitStatus({
      ...where,
      sha,
      state: "error",
      context: "coverage",
      description: "fell to 40%",
    });
    await ci.rest.repos.createCommitStatus({ ...where, sha, state: "pending", context: "deploy-preview" });

    const report = await readCi(flotilla, { ...where, sha, appId: world.app.id });
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(Object.keys(byName).sort()).toEqual([
      "build",
      "coverage",
      "deploy-preview",
      "docs",
      "e2e",
      "lint",
    ]);
    expect(byName.build?.state).toBe("passed");
    expect(byName.docs?.state).toBe("passed");
    expect(byName.e2e?.state).toBe("pending");
    expect(byName["deploy-preview"]).toMatchObject({ kind: "status", state: "pending" });
    expect(byName.coverage).toMatchObject({ kind: "status", state: "failed", details: "fell to 40%" });
    expect(byName.lint).toMatchObject({ state: "failed", conclusion: "failure" });
    // The failing check's own words, and where it pointed, for the judge and the fix round.
    expect(byName.lint?.details).toContain("Lint failed.");
    expect(byName.lint?.details).toContain("src/a.js:3: failure: no-unused-vars");
  });

  it("reports nothing for a commit no CI looked at", async () => {
    const sha = await commit("quiet");
    expect(await readCi(flotilla, { ...where, sha, appId: world.app.id })).toEqual({ checks: [] });
  });
});
