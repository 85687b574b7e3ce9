import { type Document, isScalar } from "yaml";

/**
 * The security properties of the agent workflow template (.github/workflows/flotilla-agent.yml), one small
 * check each. A check reads the parsed document and returns what is wrong, one sentence a problem, naming
 * where: an empty list means the property holds.
 */
export type Check = (doc: Document) => string[];

/** What the App dispatches: ids, numbers, a timestamp and a digest. Never prompt text, never a token. */
export const DISPATCH_INPUTS = [
  "task",
  "attempt",
  "dispatch",
  "role",
  "issue",
  "agent",
  "base",
  "triggered_at",
  "digest",
  "minutes",
];
/** Anyone who can see a run can read its inputs; a long list of them is where free text creeps in. */
const MAX_INPUTS = 10;

export const READ_ONLY_PERMISSIONS = { contents: "read", issues: "read", "pull-requests": "read" };

const RUNNER_STEP_ID = "runner";
const TOKEN_EXPRESSION = expression("github.token");
const RESULT_ARTIFACT = "flotilla-result";
const RESULT_PATH = `${expression("runner.temp")}/flotilla-result`;

/** `${{ body }}`, a GitHub Actions expression, the way the template writes one. */
export function expression(body: string): string {
  return `\${{ ${body} }}`;
}

type Json = Record<string, unknown>;

interface Step {
  job: string;
  index: number;
  step: Json;
}

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function workflowOf(doc: Document): Json {
  const workflow: unknown = doc.toJS();
  return isRecord(workflow) ? workflow : {};
}

function jobsOf(workflow: Json): [string, Json][] {
  const jobs = isRecord(workflow.jobs) ? workflow.jobs : {};
  return Object.entries(jobs).filter((entry): entry is [string, Json] => isRecord(entry[1]));
}

function stepsOf(workflow: Json): Step[] {
  return jobsOf(workflow).flatMap(([job, body]) =>
    (Array.isArray(body.steps) ? body.steps : []).flatMap((step: unknown, index) =>
      isRecord(step) ? [{ job, index, step }] : [],
    ),
  );
}

function where({ job, index }: Step): string {
  return `jobs.${job}.steps[${index}]`;
}

/** The action a step uses, without its ref: `actions/checkout` for `actions/checkout@v4`. */
function actionOf(step: Json): string | undefined {
  return typeof step.uses === "string" ? step.uses.split("@")[0] : undefined;
}

/** The `${{ … }}` expressions in a text. */
function expressionsIn(text: string): string[] {
  return text.match(/\$\{\{[\s\S]*?\}\}/g) ?? [];
}

/** Does some `${{ … }}` in the text read this context property (`inputs.task`)? */
function readsProperty(text: unknown, property: string): boolean {
  const pattern = new RegExp(`\\b${property.replace(".", "\\.")}\\b`);
  return typeof text === "string" && expressionsIn(text).some((found) => pattern.test(found));
}

/** Every string in the workflow, with the path where it sits (`jobs.agent.steps[3].env.GITHUB_TOKEN`). */
function stringsIn(value: unknown, path: string): { path: string; key: string; text: string }[] {
  if (typeof value === "string") return [{ path, key: path.split(".").pop() ?? "", text: value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringsIn(item, `${path}[${index}]`));
  if (isRecord(value)) {
    return Object.entries(value).flatMap(([key, item]) => stringsIn(item, path ? `${path}.${key}` : key));
  }
  return [];
}

/** `on` is workflow_dispatch alone, with exactly the id-like inputs the App sends. */
export const checkTrigger: Check = (doc) => {
  const on = workflowOf(doc).on;
  const events = typeof on === "string" ? [on] : Array.isArray(on) ? on.map(String) : Object.keys(on ?? {});
  const problems = events
    .filter((event) => event !== "workflow_dispatch")
    .map((event) => `on.${event}: the workflow must run only when the App dispatches it (workflow_dispatch)`);
  const dispatch = isRecord(on) ? on.workflow_dispatch : undefined;
  const inputs = isRecord(dispatch) && isRecord(dispatch.inputs) ? Object.keys(dispatch.inputs) : [];
  for (const name of inputs.filter((input) => !DISPATCH_INPUTS.includes(input))) {
    problems.push(
      `on.workflow_dispatch.inputs.${name} is not one of the App's inputs (${DISPATCH_INPUTS.join(", ")}): ` +
        "inputs are public and carry ids, numbers, a timestamp and a digest, never text or tokens",
    );
  }
  for (const name of DISPATCH_INPUTS.filter((input) => !inputs.includes(input))) {
    problems.push(`on.workflow_dispatch.inputs lacks ${name}, which the App sends`);
  }
  if (inputs.length > MAX_INPUTS) {
    problems.push(`on.workflow_dispatch has ${inputs.length} inputs, more than ${MAX_INPUTS}`);
  }
  return problems;
};

const LEVELS = ["none", "read", "write"];

/** How much a permission level grants; one GitHub may add later counts as more than write. */
function level(value: unknown): number {
  const index = LEVELS.indexOf(value === undefined ? "none" : String(value));
  return index < 0 ? LEVELS.length : index;
}

/** The workflow's token reads contents, issues and pull requests, and no job asks for more. */
export const checkPermissions: Check = (doc) => {
  const workflow = workflowOf(doc);
  const top = workflow.permissions;
  const problems: string[] = [];
  const expected = JSON.stringify(READ_ONLY_PERMISSIONS);
  if (!isRecord(top) || JSON.stringify(Object.fromEntries(Object.entries(top).sort())) !== expected) {
    problems.push(`permissions is ${JSON.stringify(top)}, not exactly ${expected}`);
  }
  const granted = isRecord(top) ? top : {};
  for (const [job, body] of jobsOf(workflow)) {
    if (body.permissions === undefined) continue;
    if (!isRecord(body.permissions)) {
      problems.push(
        `jobs.${job}.permissions is ${JSON.stringify(body.permissions)}, wider than the workflow's`,
      );
      continue;
    }
    for (const [scope, value] of Object.entries(body.permissions)) {
      if (level(value) > level(granted[scope])) {
        problems.push(`jobs.${job}.permissions.${scope} is ${String(value)}, wider than the workflow's`);
      }
    }
  }
  return problems;
};

/**
 * Nothing an agent run leaves behind outlives it: no caches (a cache saved here is restored by every branch's
 * workflows), and checkout keeps no token in .git/config for the agent to read.
 */
export const checkNoCachesNorCredentials: Check = (doc) =>
  stepsOf(workflowOf(doc)).flatMap((entry) => {
    const action = actionOf(entry.step);
    const inputs = isRecord(entry.step.with) ? entry.step.with : {};
    if (action?.startsWith("actions/cache"))
      return [`${where(entry)} uses ${action}: no caches in agent runs`];
    if (action === "actions/setup-node" && "cache" in inputs) {
      return [`${where(entry)} (setup-node) has cache: no caches in agent runs`];
    }
    if (action === "actions/checkout" && String(inputs["persist-credentials"]) !== "false") {
      return [`${where(entry)} (checkout) lacks persist-credentials: false`];
    }
    return [];
  });

/**
 * No script is built from expressions: GitHub pastes `${{ … }}` into the script's text before the shell reads
 * it, so a value can become code (script injection). Values reach scripts through `env:` instead.
 */
export const checkRunScriptsInterpolateNothing: Check = (doc) =>
  stepsOf(workflowOf(doc)).flatMap((entry) => {
    const run = entry.step.run;
    const found = typeof run === "string" ? expressionsIn(run) : [];
    return found.length === 0 ? [] : [`${where(entry)}.run interpolates ${found.join(", ")}: pass it in env`];
  });

const SECRET_REFERENCE = /\bsecrets\b|\bgithub\s*(\.\s*token\b|\[\s*['"]token['"]\s*\])/;

/** Where a string reads a secret or the job's token: in an expression, and `if:` is an expression as a whole. */
function readsSecret(key: string, text: string): boolean {
  const expressions = key === "if" ? [text] : expressionsIn(text);
  return expressions.some((found) => SECRET_REFERENCE.test(found));
}

/**
 * The job's token and the agents' API keys reach the runner step and no other: the token as GITHUB_TOKEN, and
 * each adapter's default secret under its own name.
 */
export function checkSecrets(defaultSecrets: string[]): Check {
  return (doc) => {
    const workflow = workflowOf(doc);
    const runners = stepsOf(workflow).filter((entry) => entry.step.id === RUNNER_STEP_ID);
    const runner = runners[0];
    if (runners.length !== 1 || !runner)
      return [`${runners.length} steps have id: ${RUNNER_STEP_ID}, not one`];
    const env = isRecord(runner.step.env) ? runner.step.env : {};
    const allowed = new Map([
      ["GITHUB_TOKEN", TOKEN_EXPRESSION],
      ...defaultSecrets.map((name): [string, string] => [name, expression(`secrets.${name}`)]),
    ]);
    const problems = [...allowed]
      .filter(([name, value]) => env[name] !== value)
      .map(([name, value]) => `${where(runner)}.env lacks ${name}: ${value}`);
    const envPath = `${where(runner)}.env.`;
    for (const { path, key, text } of stringsIn(workflow, "")) {
      if (!readsSecret(key, text)) continue;
      const inRunnerEnv = path === `${envPath}${key}` && allowed.get(key) === text;
      if (!inRunnerEnv)
        problems.push(`${path} reads a secret or the token (${text}): only the runner step may`);
    }
    for (const [job, body] of jobsOf(workflow)) {
      if (body.secrets !== undefined) problems.push(`jobs.${job}.secrets passes secrets to another workflow`);
    }
    return problems;
  };
}

/** The App finds its run by name when the dispatch does not return the run's id. */
export const checkRunName: Check = (doc) => {
  const runName = workflowOf(doc)["run-name"];
  return ["inputs.task", "inputs.attempt", "inputs.dispatch"]
    .filter((property) => !readsProperty(runName, property))
    .map((property) => `run-name does not carry ${property}`);
};

/** The App reads the agent's result from one artifact, uploaded from where the runner wrote it. */
export const checkResultArtifact: Check = (doc) => {
  const steps = stepsOf(workflowOf(doc));
  const uploads = steps.filter((entry) => actionOf(entry.step) === "actions/upload-artifact");
  const upload = uploads[0];
  if (uploads.length !== 1 || !upload) return [`${uploads.length} steps upload an artifact, not one`];
  const inputs = isRecord(upload.step.with) ? upload.step.with : {};
  const problems: string[] = [];
  if (inputs.name !== RESULT_ARTIFACT)
    problems.push(`${where(upload)} uploads ${inputs.name}, not ${RESULT_ARTIFACT}`);
  if (inputs.path !== RESULT_PATH)
    problems.push(`${where(upload)} uploads ${inputs.path}, not ${RESULT_PATH}`);
  const runner = steps.find((entry) => entry.step.id === RUNNER_STEP_ID);
  if (runner && !String(runner.step.run).includes("$RUNNER_TEMP/flotilla-result")) {
    problems.push(`${where(runner)}.run does not write its result to $RUNNER_TEMP/flotilla-result`);
  }
  return problems;
};

/** Each job stops at the time the App chose for it (the agent's timeout plus time to install). */
export const checkTimeout: Check = (doc) =>
  jobsOf(workflowOf(doc))
    .filter(([, body]) => !readsProperty(body["timeout-minutes"], "inputs.minutes"))
    .map(
      ([job, body]) =>
        `jobs.${job}.timeout-minutes is ${String(body["timeout-minutes"])}, not from inputs.minutes`,
    );

const FULL_SHA_PIN = /^actions\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/;
const VERSION_COMMENT = /^\s*v\d+\.\d+\.\d+\s*$/;

/**
 * Every action is one of GitHub's own (`actions/*`), pinned to a full commit sha with the tag it was in a
 * comment (`@<sha> # v4.3.1`): a tag can be moved to other code, a commit cannot.
 */
export const checkActionPins: Check = (doc) => {
  const workflow = workflowOf(doc);
  const places: { path: (string | number)[]; uses: unknown }[] = [
    ...jobsOf(workflow).map(([job, body]) => ({ path: ["jobs", job], uses: body.uses })),
    ...stepsOf(workflow).map(({ job, index, step }) => ({
      path: ["jobs", job, "steps", index],
      uses: step.uses,
    })),
  ];
  return places.flatMap(({ path, uses }) => {
    if (uses === undefined) return [];
    const name = path.join(".").replace(/\.(\d+)$/, "[$1]");
    if (!FULL_SHA_PIN.test(String(uses))) {
      return [`${name} uses ${String(uses)}: use an actions/* action pinned to a full commit sha`];
    }
    const node = doc.getIn([...path, "uses"], true);
    const comment = isScalar(node) ? node.comment : undefined;
    return VERSION_COMMENT.test(comment ?? "") ? [] : [`${name}.uses lacks its tag in a comment (# v4.3.1)`];
  });
};
