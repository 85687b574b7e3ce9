import type { Sandbox } from "../sandbox.js";
import { setupActions } from "../scripting/setup.js";
import type { App } from "../state/model.js";

const SLUG = "github-actions";

/**
 * The built-in "GitHub Actions" App that owns CI check suites and workflow runs, as on GitHub. It is a
 * different App from the one under test, so an App can tell CI's checks from its own by `app.id`. It is
 * never installed, so it receives no webhooks.
 */
export function actionsApp(sb: Sandbox): App {
  for (const app of sb.store.apps.values()) if (app.slug === SLUG) return app;
  const created = setupActions.createApp(sb, {
    name: "GitHub Actions",
    owner: "github",
    permissions: {
      actions: "write",
      checks: "write",
      contents: "write",
      metadata: "read",
      statuses: "write",
    },
    events: [],
  });
  const app = sb.store.apps.get(created.id);
  if (!app) throw new Error("sandbox: could not create the GitHub Actions App");
  return app;
}
