import type { ApplicationFunction } from "probot";
import type { Fleet } from "../fleet/fleet.js";
import { startTask } from "./handlers/start-task.js";
import { stopTask } from "./handlers/stop-task.js";
import { trackRun } from "./handlers/track-run.js";
import { SenderPermissions } from "./validation/sender-permission.js";

export interface AppDeps {
  fleet: Fleet;
  permissions?: SenderPermissions;
}

/** The Probot app: wires webhook events to their handlers and HTTP routes to theirs. It holds no logic. */
export function createApp(deps: AppDeps): ApplicationFunction {
  return (app, { addHandler }) => {
    const permissions = deps.permissions ?? new SenderPermissions();
    addHandler((req, res) => {
      if (req.url !== "/healthz") return false;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "ok" }));
      return true;
    });
    app.on(["issues.labeled", "issues.opened"], startTask({ fleet: deps.fleet, permissions }));
    app.on(["issues.unlabeled", "issues.closed"], stopTask({ fleet: deps.fleet, permissions }));
    app.on(["workflow_run", "workflow_job"], trackRun({ fleet: deps.fleet }));
  };
}
