import type { Sandbox } from "../sandbox.js";
import { setupActions } from "../scripting/setup.js";
import type { App, Installation, Permissions, Repo } from "../state/model.js";

const SLUG = "github-actions";

/** Every scope a workflow's `permissions:` can grant GITHUB_TOKEN that is an App permission (not id-token). */
export const JOB_TOKEN_SCOPES = [
  "actions",
  "attestations",
  "checks",
  "contents",
  "deployments",
  "discussions",
  "issues",
  "packages",
  "pages",
  "pull_requests",
  "repository_projects",
  "security_events",
  "statuses",
] as const;

/**
 * The built-in "GitHub Actions" App that owns CI check suites and workflow runs, as on GitHub. It is a
 * different App from the one under test, so an App can tell CI's checks from its own by `app.id`. It is
 * `builtIn`: even where it is installed (for job tokens), it receives no webhooks.
 */
export function actionsApp(sb: Sandbox): App {
  for (const app of sb.store.apps.values()) if (app.slug === SLUG) return app;
  const permissions: Permissions = { metadata: "read" };
  for (const scope of JOB_TOKEN_SCOPES) permissions[scope] = "write";
  const created = setupActions.createApp(sb, {
    name: "GitHub Actions",
    owner: "github",
    permissions,
    events: [],
  });
  const app = sb.store.apps.get(created.id);
  if (!app) throw new Error("sandbox: could not create the GitHub Actions App");
  app.builtIn = true;
  return app;
}

/**
 * The GitHub Actions App's installation on the repository's owner, made on first use. GITHUB_TOKEN is an
 * installation token of it; making the installation sends nothing (GitHub's own App is not "installed" by
 * anyone), and `builtIn` keeps webhooks away from it.
 */
export function actionsInstallation(sb: Sandbox, repo: Repo): Installation {
  const app = actionsApp(sb);
  for (const inst of sb.store.installations.values()) {
    if (inst.appId === app.id && inst.accountId === repo.ownerId) return inst;
  }
  const { id } = setupActions.installApp(sb, {
    appId: app.id,
    account: sb.store.user(repo.ownerId).login,
    events: [],
  });
  const installation = sb.store.installations.get(id);
  if (!installation) throw new Error("sandbox: could not install the GitHub Actions App");
  return installation;
}
