import { parse } from "yaml";
import { readFileAt } from "../git/repository.js";
import { runGit } from "../git/run-git.js";
import type { Sandbox } from "../sandbox.js";
import type { Repo, Workflow } from "../state/model.js";

/** What the sandbox needs from a workflow file. */
export interface WorkflowDefinition {
  name: string;
  /** `run-name`, with `${{ … }}` expressions still in it. */
  runName: string | null;
  jobs: { id: string; name: string }[];
  /** The `workflow_dispatch` trigger's inputs, or null when the workflow cannot be dispatched. */
  dispatchInputs: Record<string, { required: boolean; default?: unknown; options?: string[] }> | null;
}

const DIR = ".github/workflows/";

/** Parses a workflow file; a file that is not valid YAML is named after its path, as GitHub shows it. */
export function parseWorkflow(path: string, text: string): WorkflowDefinition {
  let doc: Record<string, unknown> = {};
  try {
    const parsed = parse(text) as unknown;
    if (parsed && typeof parsed === "object") doc = parsed as Record<string, unknown>;
  } catch {
    // Invalid YAML: GitHub still lists the workflow, by path.
  }
  const on = doc.on;
  const triggers = typeof on === "string" ? [on] : Array.isArray(on) ? on : Object.keys(on ?? {});
  let dispatchInputs: WorkflowDefinition["dispatchInputs"] = null;
  if (triggers.includes("workflow_dispatch")) {
    dispatchInputs = {};
    const dispatch =
      on && typeof on === "object" && !Array.isArray(on)
        ? (on as Record<string, unknown>).workflow_dispatch
        : null;
    const inputs = (dispatch as { inputs?: Record<string, Record<string, unknown>> } | null)?.inputs ?? {};
    for (const [key, spec] of Object.entries(inputs)) {
      dispatchInputs[key] = {
        required: spec?.required === true,
        ...(spec && "default" in spec ? { default: spec.default } : {}),
        ...(spec?.type === "choice" && Array.isArray(spec.options)
          ? { options: spec.options.map(String) }
          : {}),
      };
    }
  }
  const jobs = Object.entries((doc.jobs ?? {}) as Record<string, { name?: unknown }>).map(([id, job]) => ({
    id,
    name: typeof job?.name === "string" ? job.name : id,
  }));
  return {
    name: typeof doc.name === "string" ? doc.name : path,
    runName: typeof doc["run-name"] === "string" ? doc["run-name"] : null,
    jobs: jobs.length > 0 ? jobs : [{ id: "build", name: "build" }],
    dispatchInputs,
  };
}

/** The workflow file at a commit, parsed; null when the file is not there. */
export async function definitionAt(
  repo: Repo,
  sha: string,
  path: string,
): Promise<WorkflowDefinition | null> {
  const bytes = await readFileAt(repo.gitDir, sha, path);
  return bytes ? parseWorkflow(path, bytes.toString("utf8")) : null;
}

/**
 * Brings `repo.workflows` in line with the `.github/workflows/*.yml` files on the default branch (new files
 * get a record, names follow the files) and returns the workflows that have a file, as GitHub lists them.
 */
export async function syncWorkflows(sb: Sandbox, repo: Repo): Promise<Workflow[]> {
  const out = await runGit(
    repo.gitDir,
    ["ls-tree", "--name-only", `refs/heads/${repo.defaultBranch}`, "--", DIR],
    {
      okExitCodes: [128],
    },
  );
  const paths = out
    .toString("utf8")
    .split("\n")
    .filter((p) => /\.ya?ml$/.test(p));
  const present: Workflow[] = [];
  for (const path of paths) {
    const def = await definitionAt(repo, `refs/heads/${repo.defaultBranch}`, path);
    let workflow = repo.workflows.find((w) => w.path === path);
    if (!workflow) {
      workflow = { id: sb.store.nextId(), path, name: path, state: "active", createdAt: sb.store.nowIso() };
      repo.workflows.push(workflow);
    }
    workflow.name = def?.name ?? path;
    present.push(workflow);
  }
  return present;
}

/** A workflow by id or by file name (`flotilla.yml`), as the REST API accepts either. */
export async function findWorkflow(sb: Sandbox, repo: Repo, idOrFile: string): Promise<Workflow | undefined> {
  const workflows = await syncWorkflows(sb, repo);
  if (/^\d+$/.test(idOrFile)) return repo.workflows.find((w) => w.id === Number(idOrFile));
  return workflows.find((w) => w.path === `${DIR}${idOrFile}`);
}

/** `${{ inputs.x }}`, `${{ github.event.inputs.x }}`, `${{ github.actor }}`, `${{ github.ref_name }}` in run-name. */
export function renderRunName(
  template: string,
  context: { inputs: Record<string, unknown>; actor: string; refName: string },
): string {
  return template.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_match, expr: string) => {
    const input = /^(?:github\.event\.)?inputs\.([\w-]+)$/.exec(expr);
    if (input?.[1]) return String(context.inputs[input[1]] ?? "");
    if (expr === "github.actor" || expr === "github.triggering_actor") return context.actor;
    if (expr === "github.ref_name") return context.refName;
    return "";
  });
}
