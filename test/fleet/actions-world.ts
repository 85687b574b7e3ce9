import { readFileSync } from "node:fs";
import pino from "pino";
import { SenderPermissions } from "../../src/app/validation/sender-permission.js";
import { ActionsBackend } from "../../src/backends/actions/actions-backend.js";
import type { Fleet } from "../../src/fleet/fleet.js";
import type { RunDeps } from "../../src/fleet/run-task.js";
import type { TaskDraft } from "../../src/fleet/scheduler.js";
import type { GitHub } from "../../src/github/octokit.js";
import { startWorld, type World } from "../helpers/sandbox.js";
import { draft } from "./drafts.js";

const TEMPLATE = readFileSync(".github/workflows/flotilla-agent.yml", "utf8");

/** A sandbox whose `acme/widgets` has Flotilla's agent workflow, and that repository's id. */
export async function actionsWorld(): Promise<{ world: World; repoId: number }> {
  const world = await startWorld({
    files: { "README.md": "# widgets\n", ".github/workflows/flotilla-agent.yml": TEMPLATE },
  });
  const { data } = await world.installationOctokit().rest.repos.get({ owner: "acme", repo: "widgets" });
  return { world, repoId: data.id };
}

/** What the fleet's jobs get, as a worker serving the actions backend gives it, silent. */
export function actionsDeps(world: World, fleet: Fleet, extra: Partial<RunDeps> = {}): RunDeps {
  return {
    fleet,
    backends: { actions: new ActionsBackend() },
    github: async () => world.installationOctokit() as unknown as GitHub,
    permissions: new SenderPermissions(),
    appId: world.app.id,
    log: pino({ level: "silent" }),
    ...extra,
  };
}

/** A task drafted for `issue` on the actions backend, asked for now with `title`. */
export function actionsDraft(issue: number, repoId: number, title: string): TaskDraft {
  const base = draft(issue, "scripted", repoId);
  return {
    ...base,
    trigger: { at: new Date().toISOString(), title, body: "" },
    settings: {
      ...base.settings,
      backend: "actions",
      actions: { workflow: "flotilla-agent.yml", retries: 2, startTimeout: 15 * 60_000 },
    },
  };
}
