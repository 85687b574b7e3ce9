import { readFileSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";
import { parse } from "yaml";
import {
  assertIdsOnly,
  judgeInputs,
  parseRunTitle,
  runTitle,
  workflowInputs,
} from "../../src/backends/actions/workflow-inputs.js";
import type { Task } from "../../src/fleet/task.js";
import { requestDigest } from "../../src/runner/request-digest.js";
import { draft } from "../fleet/drafts.js";

// What the App puts in the agent workflow's dispatch, which anyone who can read the run can see.

const template = parse(readFileSync(".github/workflows/flotilla-agent.yml", "utf8")) as {
  "run-name": string;
  on: {
    workflow_dispatch: { inputs: Record<string, { required?: boolean; type: string; options?: string[] }> };
  };
};
const declared = template.on.workflow_dispatch.inputs;

function task(overrides: Partial<Task> = {}): Task {
  return {
    ...draft(12, "claude"),
    trigger: {
      at: "2026-12-02T04:00:00Z",
      title: "Greet in French",
      body: "Use ghp_notreallyatokenbutshaped0123456789 nowhere. Say bonjour.",
    },
    state: "dispatched",
    attempt: 3,
    version: 1,
    createdAt: "2026-12-02T04:00:00Z",
    updatedAt: "2026-12-02T04:00:00Z",
    ...overrides,
  };
}

describe("the dispatch's inputs", () => {
  it("are exactly the template's inputs, each of the type it declares", () => {
    const inputs = workflowInputs(task(), 2);
    expect(Object.keys(inputs).sort()).toEqual(Object.keys(declared).sort());
    for (const [name, value] of Object.entries(inputs)) {
      const spec = declared[name];
      expect(typeof value).toBe(spec?.type === "number" ? "number" : "string");
      if (spec?.type === "choice") expect(spec.options).toContain(value);
    }
  });

  it("carry ids and a digest of the issue, never its text", () => {
    const asked = task();
    const inputs = workflowInputs(asked, 1);
    expect(inputs).toMatchObject({
      task: asked.id,
      attempt: "3",
      dispatch: "1",
      issue: "12",
      agent: "claude",
    });
    expect(inputs.digest).toBe(requestDigest({ title: "Greet in French", body: asked.trigger?.body ?? "" }));
    const shown = JSON.stringify(inputs);
    expect(shown).not.toContain("bonjour");
    expect(shown).not.toContain("ghp_");
    expect(shown).not.toContain("French");
  });

  it("give the job the agent's timeout plus time to install, in whole minutes", () => {
    const asked = task();
    asked.settings.agent.timeout = 45 * 60_000 + 1;
    expect(workflowInputs(asked, 1).minutes).toBe(46 + 10);
  });

  it("always name the default branch as the base", () => {
    const asked = task();
    asked.repo.defaultBranch = "trunk";
    expect(workflowInputs(asked, 1).base).toBe("trunk");
  });

  it("for an iteration, carry the role and the blob of the stored request, and refuse to go without one", () => {
    const blob = "a".repeat(40);
    const iteration = { headSha: "b".repeat(40), feedback: [{ text: "Say it louder." }], automatic: false };
    const asked = task({
      iteration,
      run: { dispatch: 1, dispatchedAt: "2026-12-02T04:00:00Z", request: blob },
    });
    expect(workflowInputs(asked, 1)).toMatchObject({ role: "iterate", digest: blob, agent: "claude" });
    expect(JSON.stringify(workflowInputs(asked, 1))).not.toContain("louder");
    expect(() => workflowInputs(task({ iteration }), 1)).toThrow("has no stored request");
  });

  it("for the judge, name the judge agent, the review's label and the judge's own time limit", () => {
    const asked = task();
    asked.settings.judge = {
      name: "codex",
      agent: { ...asked.settings.agent, timeout: 20 * 60_000 },
      sameAsAuthor: false,
      maxRounds: 2,
      ciTimeoutMs: 60_000,
    };
    const inputs = judgeInputs(asked, { label: "j51-2", request: "c".repeat(40) });
    expect(inputs).toMatchObject({
      role: "judge",
      agent: "codex",
      dispatch: "j51-2",
      digest: "c".repeat(40),
    });
    expect(inputs.minutes).toBe(20 + 10);
    expect(declared.role?.options).toEqual(expect.arrayContaining(["code", "iterate", "judge"]));
    // Its run's name never reads back as one of the task's own runs.
    expect(parseRunTitle(runTitle(asked, inputs.dispatch))).toBeUndefined();
  });

  it("are refused when one is not an id or looks like a credential", () => {
    expect(() => assertIdsOnly({ task: "r1-i2-claude", minutes: 55 })).not.toThrow();
    for (const bad of [
      "ghs_0123456789abcdefghij0123456789",
      "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
      "sk-ant-api03-abcdefghijklmnopqrstuvwxyz",
      "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIxMjMifQ.sig",
      "Please fix the bug in the parser",
      "",
    ]) {
      expect(() => assertIdsOnly({ task: "r1-i2-claude", issue: bad })).toThrow(
        "the workflow input issue is not an id",
      );
    }
  });
});

describe("the run's name", () => {
  it("is what the template's run-name renders to, and reads back as the dispatch it names", () => {
    const asked = task();
    const inputs = workflowInputs(asked, 2) as Record<string, string | number>;
    const rendered = template["run-name"].replace(/\$\{\{\s*inputs\.(\w+)\s*\}\}/g, (_, name: string) =>
      String(inputs[name]),
    );
    expect(rendered).toBe(runTitle(asked, 2));
    expect(parseRunTitle(rendered)).toEqual({ taskId: asked.id, attempt: 3, dispatch: 2 });
  });

  it("is not mistaken in another workflow's run names", () => {
    expect(parseRunTitle("CI")).toBeUndefined();
    expect(parseRunTitle("Flotilla r1-i2-claude a1")).toBeUndefined();
    expect(parseRunTitle("Flotilla r1-i2-claude a1.2 (rerun)")).toBeUndefined();
  });
});
