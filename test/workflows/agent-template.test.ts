import { readFileSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";
import { type Document, parseDocument } from "yaml";
import { ADAPTER_REGISTRY } from "../../src/runner/adapters/index.js";
import {
  type Check,
  checkActionPins,
  checkNoCachesNorCredentials,
  checkPermissions,
  checkResultArtifact,
  checkRunName,
  checkRunScriptsInterpolateNothing,
  checkSecrets,
  checkTimeout,
  checkTrigger,
  expression,
} from "./template-checks.js";

const TEMPLATE_PATH = new URL("../../.github/workflows/flotilla-agent.yml", import.meta.url);
const template = parseDocument(readFileSync(TEMPLATE_PATH, "utf8"));

/** Every secret some adapter reads when the repository's config names none. */
const DEFAULT_SECRETS = [
  ...new Set(Object.values(ADAPTER_REGISTRY).flatMap((adapter) => adapter.defaultSecrets)),
];

type Path = (string | number)[];

/** Where the first step that matches sits in the template, for editing a copy. */
function stepPath(matches: (step: Record<string, unknown>) => boolean): Path {
  const workflow = template.toJS() as { jobs: { agent: { steps: Record<string, unknown>[] } } };
  const index = workflow.jobs.agent.steps.findIndex(matches);
  if (index < 0) throw new Error("no such step in the template");
  return ["jobs", "agent", "steps", index];
}

const RUNNER: Path = stepPath((step) => step.id === "runner");
const INSTALL: Path = stepPath(
  (step) => typeof step.run === "string" && step.run.includes("install --agent"),
);
const CHECKOUT: Path = stepPath((step) => String(step.uses).startsWith("actions/checkout@"));
const SETUP_NODE: Path = stepPath((step) => String(step.uses).startsWith("actions/setup-node@"));
const UPLOAD: Path = stepPath((step) => String(step.uses).startsWith("actions/upload-artifact@"));

/** The check finds nothing in the real template, and names the problem in a copy changed by `edit`. */
function expectReported(check: Check, edit: (doc: Document) => void, problem: string | RegExp): void {
  expect(check(template)).toEqual([]);
  const copy = template.clone();
  edit(copy);
  const reported =
    typeof problem === "string" ? expect.stringContaining(problem) : expect.stringMatching(problem);
  expect(check(copy)).toContainEqual(reported);
}

describe("the agent workflow template", () => {
  it("parses as YAML", () => {
    expect(template.errors).toEqual([]);
  });

  describe("runs only when the App dispatches it, with ids as inputs", () => {
    it("finds nothing to report in the template", () => {
      expect(checkTrigger(template)).toEqual([]);
    });

    it("reports another trigger", () => {
      expectReported(checkTrigger, (doc) => doc.setIn(["on", "issue_comment"], null), /^on\.issue_comment:/);
    });

    it("reports the trigger given as a list with another event", () => {
      expectReported(checkTrigger, (doc) => doc.set("on", ["workflow_dispatch", "push"]), /^on\.push:/);
    });

    it("reports an input for prompt text", () => {
      expectReported(
        checkTrigger,
        (doc) => doc.setIn(["on", "workflow_dispatch", "inputs", "prompt"], { type: "string" }),
        /^on\.workflow_dispatch\.inputs\.prompt is not one of the App's inputs/,
      );
    });

    it("reports a missing input", () => {
      expectReported(
        checkTrigger,
        (doc) => doc.deleteIn(["on", "workflow_dispatch", "inputs", "digest"]),
        "lacks digest",
      );
    });

    it("reports more than ten inputs", () => {
      expectReported(
        checkTrigger,
        (doc) => doc.setIn(["on", "workflow_dispatch", "inputs", "token"], { type: "string" }),
        "has 11 inputs, more than 10",
      );
    });
  });

  describe("reads with a read-only token", () => {
    it("finds nothing to report in the template", () => {
      expect(checkPermissions(template)).toEqual([]);
    });

    it("reports write access at the top", () => {
      expectReported(
        checkPermissions,
        (doc) => doc.setIn(["permissions", "contents"], "write"),
        /^permissions is/,
      );
    });

    it("reports another scope at the top", () => {
      expectReported(
        checkPermissions,
        (doc) => doc.setIn(["permissions", "actions"], "read"),
        /^permissions is/,
      );
    });

    it("reports top-level permissions left out (the repository's default may be write-all)", () => {
      expectReported(checkPermissions, (doc) => doc.delete("permissions"), "permissions is undefined");
    });

    it("reports a job that asks for write access", () => {
      expectReported(
        checkPermissions,
        (doc) => doc.setIn(["jobs", "agent", "permissions"], { contents: "write" }),
        "jobs.agent.permissions.contents is write, wider than the workflow's",
      );
    });

    it("reports a job that reads a scope the workflow does not", () => {
      expectReported(
        checkPermissions,
        (doc) => doc.setIn(["jobs", "agent", "permissions"], { actions: "read" }),
        "jobs.agent.permissions.actions is read",
      );
    });

    it("reports a job with read-all", () => {
      expectReported(
        checkPermissions,
        (doc) => doc.setIn(["jobs", "agent", "permissions"], "read-all"),
        'jobs.agent.permissions is "read-all"',
      );
    });

    it("lets a job narrow the permissions", () => {
      const copy = template.clone();
      copy.setIn(["jobs", "agent", "permissions"], { contents: "read", issues: "none" });
      expect(checkPermissions(copy)).toEqual([]);
    });
  });

  describe("leaves no cache and no credentials behind", () => {
    it("finds nothing to report in the template", () => {
      expect(checkNoCachesNorCredentials(template)).toEqual([]);
    });

    it("reports an actions/cache step", () => {
      expectReported(
        checkNoCachesNorCredentials,
        (doc) => doc.setIn([...INSTALL, "uses"], "actions/cache@v4"),
        /uses actions\/cache: no caches/,
      );
    });

    it("reports actions/cache/restore too", () => {
      expectReported(
        checkNoCachesNorCredentials,
        (doc) => doc.setIn([...INSTALL, "uses"], "actions/cache/restore@v4"),
        /uses actions\/cache\/restore/,
      );
    });

    it("reports setup-node's cache", () => {
      expectReported(
        checkNoCachesNorCredentials,
        (doc) => doc.setIn([...SETUP_NODE, "with", "cache"], "npm"),
        "(setup-node) has cache",
      );
    });

    it("reports checkout keeping its credentials", () => {
      expectReported(
        checkNoCachesNorCredentials,
        (doc) => doc.setIn([...CHECKOUT, "with", "persist-credentials"], true),
        "(checkout) lacks persist-credentials: false",
      );
    });

    it("reports checkout with persist-credentials left out (it defaults to true)", () => {
      expectReported(
        checkNoCachesNorCredentials,
        (doc) => doc.deleteIn([...CHECKOUT, "with", "persist-credentials"]),
        "(checkout) lacks persist-credentials: false",
      );
    });
  });

  describe("builds no script from expressions", () => {
    it("finds nothing to report in the template", () => {
      expect(checkRunScriptsInterpolateNothing(template)).toEqual([]);
    });

    it("reports an input pasted into a script", () => {
      expectReported(
        checkRunScriptsInterpolateNothing,
        (doc) =>
          doc.setIn([...INSTALL, "run"], `flotilla-runner install --agent "${expression("inputs.agent")}"`),
        `interpolates ${expression("inputs.agent")}: pass it in env`,
      );
    });

    it("reports a secret pasted into a script", () => {
      expectReported(
        checkRunScriptsInterpolateNothing,
        (doc) => doc.setIn([...RUNNER, "run"], `KEY=\${{secrets.ANTHROPIC_API_KEY}} flotilla-runner github`),
        `interpolates \${{secrets.ANTHROPIC_API_KEY}}`,
      );
    });
  });

  describe("hands the token and the agents' keys to the runner step alone", () => {
    const check = checkSecrets(DEFAULT_SECRETS);

    it("knows the adapters' default secrets", () => {
      expect(DEFAULT_SECRETS).toEqual(expect.arrayContaining(["ANTHROPIC_API_KEY", "OPENAI_API_KEY"]));
    });

    it("finds nothing to report in the template", () => {
      expect(check(template)).toEqual([]);
    });

    it("reports the runner step without the job's token", () => {
      expectReported(
        check,
        (doc) => doc.deleteIn([...RUNNER, "env", "GITHUB_TOKEN"]),
        "env lacks GITHUB_TOKEN",
      );
    });

    it.each(DEFAULT_SECRETS)("reports the runner step without %s, an adapter's default secret", (name) => {
      expectReported(
        check,
        (doc) => doc.deleteIn([...RUNNER, "env", name]),
        `env lacks ${name}: ${expression(`secrets.${name}`)}`,
      );
    });

    it("reports a default secret under another name", () => {
      expectReported(
        check,
        (doc) => doc.setIn([...RUNNER, "env", "OPENAI_API_KEY"], expression("secrets.OPENAI_KEY")),
        "env lacks OPENAI_API_KEY",
      );
    });

    it("reports a secret the adapters do not use, even in the runner step", () => {
      expectReported(
        check,
        (doc) => doc.setIn([...RUNNER, "env", "NPM_TOKEN"], expression("secrets.NPM_TOKEN")),
        /env\.NPM_TOKEN reads a secret/,
      );
    });

    it("reports all the secrets passed at once", () => {
      expectReported(
        check,
        (doc) => doc.setIn([...RUNNER, "env", "ALL"], expression("toJSON(secrets)")),
        /env\.ALL reads a secret/,
      );
    });

    it("reports a secret in another step's env", () => {
      expectReported(
        check,
        (doc) => doc.setIn([...INSTALL, "env", "ANTHROPIC_API_KEY"], expression("secrets.ANTHROPIC_API_KEY")),
        /^jobs\.agent\.steps\[\d+\]\.env\.ANTHROPIC_API_KEY reads a secret/,
      );
    });

    it("reports a secret in the workflow's env", () => {
      expectReported(
        check,
        (doc) => doc.setIn(["env", "OPENAI_API_KEY"], expression("secrets.OPENAI_API_KEY")),
        /^env\.OPENAI_API_KEY reads a secret/,
      );
    });

    it("reports the token handed to checkout", () => {
      expectReported(
        check,
        (doc) => doc.setIn([...CHECKOUT, "with", "token"], expression("github.token")),
        /with\.token reads a secret or the token/,
      );
    });

    it("reports a secret read in a condition", () => {
      expectReported(
        check,
        (doc) => doc.setIn([...UPLOAD, "if"], "secrets.OPENAI_API_KEY != ''"),
        /\.if reads a secret/,
      );
    });

    it("reports a job passing secrets on", () => {
      expectReported(
        check,
        (doc) => doc.setIn(["jobs", "agent", "secrets"], "inherit"),
        "jobs.agent.secrets",
      );
    });
  });

  describe("can be found by the App, and gives it the result", () => {
    it("finds nothing to report in the template", () => {
      expect([
        ...checkRunName(template),
        ...checkResultArtifact(template),
        ...checkTimeout(template),
      ]).toEqual([]);
    });

    it.each(["task", "attempt", "dispatch"])("reports a run name without inputs.%s", (input) => {
      expectReported(
        checkRunName,
        (doc) =>
          doc.set(
            "run-name",
            `Flotilla ${String(doc.get("run-name")).replace(`inputs.${input}`, "github.run_id")}`,
          ),
        `run-name does not carry inputs.${input}`,
      );
    });

    it("reports the result uploaded under another name", () => {
      expectReported(
        checkResultArtifact,
        (doc) => doc.setIn([...UPLOAD, "with", "name"], "result"),
        "uploads result, not flotilla-result",
      );
    });

    it("reports the result uploaded from another folder", () => {
      expectReported(
        checkResultArtifact,
        (doc) => doc.setIn([...UPLOAD, "with", "path"], expression("github.workspace")),
        `not ${expression("runner.temp")}/flotilla-result`,
      );
    });

    it("reports the runner writing its result elsewhere than the upload reads", () => {
      expectReported(
        checkResultArtifact,
        (doc) => doc.setIn([...RUNNER, "run"], 'flotilla-runner github --out "$RUNNER_TEMP/out"'),
        "does not write its result to $RUNNER_TEMP/flotilla-result",
      );
    });

    it("reports a second upload", () => {
      expectReported(
        checkResultArtifact,
        (doc) => doc.setIn([...INSTALL, "uses"], doc.getIn([...UPLOAD, "uses"])),
        "2 steps upload an artifact, not one",
      );
    });

    it("reports a fixed time limit", () => {
      expectReported(
        checkTimeout,
        (doc) => doc.setIn(["jobs", "agent", "timeout-minutes"], 360),
        "jobs.agent.timeout-minutes is 360, not from inputs.minutes",
      );
    });
  });

  describe("uses GitHub's own actions, pinned to commits", () => {
    it("finds nothing to report in the template", () => {
      expect(checkActionPins(template)).toEqual([]);
    });

    it("reports an action pinned to a tag", () => {
      expectReported(
        checkActionPins,
        (doc) => doc.setIn([...CHECKOUT, "uses"], "actions/checkout@v4"),
        /uses actions\/checkout@v4: use an actions\/\* action pinned to a full commit sha/,
      );
    });

    it("reports an action pinned to a short sha", () => {
      expectReported(
        checkActionPins,
        (doc) => doc.setIn([...SETUP_NODE, "uses"], "actions/setup-node@49933ea"),
        /uses actions\/setup-node@49933ea:/,
      );
    });

    it("reports a third party's action, even pinned", () => {
      expectReported(
        checkActionPins,
        (doc) => doc.setIn([...UPLOAD, "uses"], `someone/upload-artifact@${"a".repeat(40)}`),
        /uses someone\/upload-artifact@a{40}:/,
      );
    });

    it("reports a sha without its tag in a comment", () => {
      expectReported(
        checkActionPins,
        (doc) => {
          const node = doc.getIn([...UPLOAD, "uses"], true) as { comment?: string | null };
          node.comment = null;
        },
        "uses lacks its tag in a comment",
      );
    });

    it("reports a reusable workflow of another owner", () => {
      expectReported(
        checkActionPins,
        (doc) => doc.setIn(["jobs", "other"], { uses: "someone/repo/.github/workflows/x.yml@main" }),
        /^jobs\.other uses someone\/repo/,
      );
    });
  });
});
