import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { RunBundle } from "../../src/runner/result-bundle.js";
import { createRepo, SCRIPTED_AGENT } from "./fixtures.js";

// The package the agent workflow installs (FLOTILLA_RUNNER_PACKAGE): `npm pack` of this checkout, installed
// as npm installs it on a runner, runs a task with nothing of the checkout around it.

const run = promisify(execFile);
const ROOT = resolve(".");

let tmp: string;
let tarball: string;
let bin: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "flotilla-package-"));
  await run("npm", ["pack", "--pack-destination", tmp], { cwd: ROOT, timeout: 120_000 });
  const [name] = readdirSync(tmp).filter((f) => f.endsWith(".tgz"));
  tarball = join(tmp, name ?? "missing.tgz");
  const prefix = join(tmp, "global");
  await run(
    "npm",
    ["install", "--prefix", prefix, "--prefer-offline", "--omit=dev", "--no-audit", "--no-fund", tarball],
    { cwd: tmp, timeout: 180_000 },
  );
  bin = join(prefix, "node_modules/.bin/flotilla-runner");
}, 300_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("the runner package", () => {
  it("holds the built code and no tests, sandbox or sources", async () => {
    const { stdout } = await run("tar", ["-tzf", tarball]);
    const files = stdout.split("\n").filter(Boolean);
    expect(files).toContain("package/dist/src/runner/cli.js");
    expect(files.filter((f) => /^package\/(test|sandbox|src|scripts|bench)\//.test(f))).toEqual([]);
  });

  it("installs a flotilla-runner that runs a task spec", async () => {
    const checkout = join(tmp, "checkout");
    createRepo(checkout, { "README.md": "# widgets\n" });
    const spec = join(tmp, "task.json");
    writeFileSync(
      spec,
      JSON.stringify({
        version: 1,
        repo: "acme/widgets",
        agentName: "scripted",
        agent: {
          adapter: "command",
          command: [process.execPath, SCRIPTED_AGENT, "{prompt_file}"],
          timeout: 30_000,
          maxOutput: 1024 * 1024,
        },
        request: {
          issue: {
            number: 1,
            title: "Hello",
            body: "```flotilla-script\nwrite hello.txt <<END\nhi\nEND\n```\n",
          },
        },
      }),
    );
    const out = join(tmp, "out");
    await run(bin, ["--task", spec, "--out", out], {
      cwd: checkout,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      timeout: 60_000,
    });
    const bundle = JSON.parse(readFileSync(join(out, "result.json"), "utf8")) as RunBundle;
    expect(bundle.outcome).toEqual({ kind: "success" });
    expect(bundle.changeset.files.map((f) => f.path)).toEqual(["hello.txt"]);
  });
});
