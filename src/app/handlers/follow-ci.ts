import type { Context } from "probot";
import type { Fleet } from "../../fleet/fleet.js";
import { followCiSoon } from "../../fleet/review/follow-ci.js";

export interface FollowCiDeps {
  fleet: Fleet;
  /** The App's own check runs report on the judge, not on CI. */
  appId: number;
}

type CiEvent = "check_run.completed" | "check_suite.completed" | "status" | "workflow_run.completed";

/**
 * CI reporting on a commit: when a judge waits on that head (or its gate follows CI), it looks again, once
 * for all the reports of a few seconds. One Redis read for every other commit; the look is a queued job.
 */
export function followCi(deps: FollowCiDeps) {
  return async (context: Context<CiEvent>): Promise<void> => {
    const { payload } = context;
    const seen = ciSha(payload as unknown as CiPayload, deps.appId);
    if (!seen) return;
    const { fleet } = deps;
    const taskId = await fleet.redis.get(fleet.keys.reviewHead(payload.repository.id, seen));
    if (!taskId) return;
    await followCiSoon(fleet, taskId, seen);
  };
}

type CiPayload = {
  check_run?: { head_sha: string; app?: { id: number } | null };
  check_suite?: { head_sha: string; app?: { id: number } | null };
  workflow_run?: { head_sha: string };
  sha?: string;
  state?: string;
};

/** The commit a CI report is about, unless it is Flotilla's own report or a status still pending. */
function ciSha(payload: CiPayload, appId: number): string | undefined {
  if (payload.check_run) return payload.check_run.app?.id === appId ? undefined : payload.check_run.head_sha;
  if (payload.check_suite)
    return payload.check_suite.app?.id === appId ? undefined : payload.check_suite.head_sha;
  if (payload.workflow_run) return payload.workflow_run.head_sha;
  if (payload.sha && payload.state !== "pending") return payload.sha;
  return undefined;
}
