import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApplicationFunction, Context } from "probot";
import { createDashboard, dashboardOff } from "../dashboard/dashboard.js";
import type { LiveStreams } from "../dashboard/live-updates.js";
import type { Fleet } from "../fleet/fleet.js";
import type { GitHub } from "../github/octokit.js";
import { agentCommand } from "./handlers/agent-command.js";
import { followCi } from "./handlers/follow-ci.js";
import { gateMergeGroup } from "./handlers/gate-merge-group.js";
import { rejudgeHead } from "./handlers/rejudge-head.js";
import { reviewFeedback } from "./handlers/review-feedback.js";
import { reviewHead } from "./handlers/review-head.js";
import { startTask } from "./handlers/start-task.js";
import { stopTask } from "./handlers/stop-task.js";
import { trackRun } from "./handlers/track-run.js";
import { healthz, readyz } from "./routes/health.js";
import { metricsRoute } from "./routes/metrics.js";
import type { DashboardSettings } from "./settings.js";
import { SenderPermissions } from "./validation/sender-permission.js";

export interface AppDeps {
  fleet: Fleet;
  /** The App's own id: its check runs are not CI. */
  appId: number;
  permissions?: SenderPermissions;
  /** The fleet dashboard's sign-in; absent, `/fleet` says the dashboard is off. */
  dashboard?: { settings: DashboardSettings; apiUrl: string; pollMs?: number; streams: LiveStreams };
}

type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** The Probot app: wires webhook events to their handlers and HTTP routes to theirs. It holds no logic. */
export function createApp(deps: AppDeps): ApplicationFunction {
  return (app, { addHandler }) => {
    const { fleet } = deps;
    const permissions = deps.permissions ?? new SenderPermissions();
    const routes: Record<string, Route> = {
      "/healthz": healthz,
      "/readyz": readyz(fleet.redis),
      "/metrics": metricsRoute(fleet),
    };
    const dashboard = deps.dashboard
      ? createDashboard({
          fleet,
          ...deps.dashboard,
          github: async (installationId) => (await app.auth(installationId)) as GitHub,
          log: app.log,
        })
      : dashboardOff;
    addHandler(dashboard);
    addHandler((req, res) => {
      const route = routes[(req.url ?? "").split("?")[0] ?? ""];
      if (!route || req.method !== "GET") return false;
      void route(req, res);
      return true;
    });
    // Each handler timed for /metrics: what GitHub waits for before its delivery is acknowledged.
    const timed =
      <C extends Context>(handler: (context: C) => Promise<void>) =>
      async (context: C): Promise<void> => {
        const started = performance.now();
        try {
          await handler(context);
        } finally {
          await fleet.metrics.webhookHandled(context.name, (performance.now() - started) / 1000);
        }
      };
    app.on(["issues.labeled", "issues.opened"], timed(startTask({ fleet, permissions })));
    app.on(["issues.unlabeled", "issues.closed"], timed(stopTask({ fleet, permissions })));
    // Commands: only new comments and submitted reviews; an edit is not a command.
    app.on("issue_comment.created", timed(agentCommand({ fleet, permissions })));
    app.on("pull_request_review.submitted", timed(reviewFeedback({ fleet, permissions })));
    app.on(["workflow_run", "workflow_job"], timed(trackRun({ fleet })));
    app.on(
      [
        "pull_request.opened",
        "pull_request.reopened",
        "pull_request.synchronize",
        "pull_request.ready_for_review",
      ],
      timed(reviewHead({ fleet })),
    );
    app.on(
      ["check_run.completed", "check_suite.completed", "status", "workflow_run.completed"],
      timed(followCi({ fleet, appId: deps.appId })),
    );
    app.on("check_run.rerequested", timed(rejudgeHead({ fleet, appId: deps.appId })));
    app.on("merge_group.checks_requested", timed(gateMergeGroup({ fleet })));
  };
}
