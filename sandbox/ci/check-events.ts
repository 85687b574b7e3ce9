import { renderCheckRun, renderCheckSuite, renderSuiteBrief } from "../render/checks.js";
import type { Sandbox } from "../sandbox.js";
import type { CheckRun, CheckSuite, Repo, User } from "../state/model.js";
import type { EmitOptions } from "../webhooks/webhooks.js";
import { commitInfo } from "./commits.js";

/**
 * Delivers an event to the Apps installed on the repository whose installation has this permission (any
 * level), or only to `onlyAppId`. GitHub sends check events to every App with the Checks permission,
 * not only the owner of the check: that is how an App sees CI's results.
 */
export function emitToAppsWith(
  sb: Sandbox,
  permission: string,
  options: EmitOptions,
  onlyAppId?: number,
): void {
  if (!options.repo) return;
  const appIds = new Set<number>();
  for (const inst of sb.store.installationsForRepo(options.repo)) {
    if (!inst.permissions[permission]) continue;
    if (onlyAppId !== undefined && inst.appId !== onlyAppId) continue;
    appIds.add(inst.appId);
  }
  for (const appId of appIds) sb.webhooks.emit({ ...options, appId });
}

function botOf(sb: Sandbox, appId: number): User {
  const app = sb.store.apps.get(appId);
  if (!app) throw new Error(`sandbox: no App ${appId}`);
  return sb.store.user(app.botUserId);
}

/**
 * `check_run` created/completed go to every App with Checks access; `rerequested` and `requested_action`
 * only to the App that owns the run (GitHub's rule).
 */
export async function emitCheckRun(
  sb: Sandbox,
  repo: Repo,
  run: CheckRun,
  action: "created" | "completed" | "rerequested",
  sender?: User,
): Promise<void> {
  const suite = repo.checkSuites.find((s) => s.id === run.suiteId);
  const head = await commitInfo(repo, run.headSha);
  const checkRun = {
    ...renderCheckRun(sb, repo, run),
    ...(suite ? { check_suite: renderSuiteBrief(sb, repo, suite, head) } : {}),
  };
  const options = {
    event: "check_run",
    repo,
    sender: sender ?? botOf(sb, run.appId),
    payload: { action, check_run: checkRun },
  };
  emitToAppsWith(sb, "checks", options, action === "rerequested" ? run.appId : undefined);
}

/** `check_suite` completed goes to every App with Checks access; requested/rerequested to the owner only. */
export async function emitCheckSuite(
  sb: Sandbox,
  repo: Repo,
  suite: CheckSuite,
  action: "requested" | "completed" | "rerequested",
  sender?: User,
): Promise<void> {
  const head = await commitInfo(repo, suite.headSha);
  const { repository: _repository, ...checkSuite } = renderCheckSuite(sb, repo, suite, head);
  const options = {
    event: "check_suite",
    repo,
    sender: sender ?? botOf(sb, suite.appId),
    payload: { action, check_suite: checkSuite },
  };
  emitToAppsWith(sb, "checks", options, action === "completed" ? undefined : suite.appId);
}
