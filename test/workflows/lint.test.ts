import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";
import { formatFinding, lintWorkflow, runActionlint, withPinsAsTags } from "./actionlint.js";

const WORKFLOWS = new URL("../../.github/workflows/", import.meta.url);
const workflowFiles = readdirSync(WORKFLOWS)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort();

/** The findings, as actionlint prints them: a failing test names the file, line and message of each. */
async function lint(source: string, file: string): Promise<string[]> {
  return (await lintWorkflow(source, file)).map(formatFinding);
}

const BROKEN = `name: Broken
on:
  workflow_dispatch:
    inputs:
      minutes:
        type: number
        required: true
permissions: {}
jobs:
  agent:
    runs-on: ubuntu-latest
    timeout-minutes: \${{ fromJSON(inputs.nope) }}
    steps:
      - uses: actions/checkout@34e114876b0b11c390a56381ad16ebd13914f8d5 # v4.3.1
        with:
          persist-credential: false
      - run: echo "\${{ github.event.issue.title }}"
`;

describe("the repository's workflows, by actionlint", () => {
  it("include the CI workflow and the agent template", () => {
    expect(workflowFiles).toEqual(expect.arrayContaining(["ci.yml", "flotilla-agent.yml"]));
  });

  it.each(workflowFiles)("finds nothing in %s", async (name) => {
    const file = `.github/workflows/${name}`;
    expect(await lint(readFileSync(new URL(name, WORKFLOWS), "utf8"), file)).toEqual([]);
  });
});

describe("the workflow linter", () => {
  it("names the file, line and message of an unknown input in an expression", async () => {
    expect(await lint(BROKEN, "broken.yml")).toContainEqual(
      expect.stringMatching(
        /^broken\.yml:12:\d+: property "nope" is not defined in object type \{minutes: number\}/,
      ),
    );
  });

  it("reports untrusted text pasted into a script", async () => {
    expect(await lint(BROKEN, "broken.yml")).toContainEqual(
      expect.stringMatching(/^broken\.yml:17:\d+: "github\.event\.issue\.title" is potentially untrusted/),
    );
  });

  it("checks the inputs of an action pinned to a commit, by the tag in its comment", async () => {
    const findings = await lint(BROKEN, "broken.yml");

    expect(findings).toContainEqual(
      expect.stringMatching(
        /^broken\.yml:16:\d+: input "persist-credential" is not defined in action "actions\/checkout@v4"/,
      ),
    );
    expect(await runActionlint(BROKEN, "broken.yml")).not.toContainEqual(
      expect.objectContaining({ message: expect.stringContaining("persist-credential") }),
    );
  });

  it("reads a pin as its major tag on the same line, and leaves other lines alone", () => {
    const pinned =
      "steps:\n  - uses: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020 # v4.4.0\n    with: {}\n";

    expect(withPinsAsTags(pinned)).toBe("steps:\n  - uses: actions/setup-node@v4 # v4.4.0\n    with: {}\n");
    expect(withPinsAsTags("  - uses: actions/checkout@v4\n")).toBe("  - uses: actions/checkout@v4\n");
  });

  it("reports a workflow that is not YAML", async () => {
    expect(await lint("on: [push\n", "bad.yml")).toContainEqual(expect.stringMatching(/^bad\.yml:\d+:\d+: /));
  });
});
