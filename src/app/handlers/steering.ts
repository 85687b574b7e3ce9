import type { Logger } from "pino";
import type { Context } from "probot";
import type { Fleet } from "../../fleet/fleet.js";
import { type NoticeTarget, queueNotice } from "../../fleet/post-notice.js";
import { loadRepoConfig } from "../config/load-config.js";
import type { RepoConfig } from "../config/schema.js";
import { configProblemsMessage } from "../config/validate-config.js";
import type { SenderPermissions } from "../validation/sender-permission.js";
import { installationOf } from "./start-task.js";

/** What the handlers that take commands (comments, reviews) share. */
export interface SteeringDeps {
  fleet: Fleet;
  permissions: SenderPermissions;
}

/**
 * Whether `user` may steer agents here (write, maintain or admin, as for labels). Anyone else gets no
 * reply, as a bot that answers everyone is a spam channel: the refusal is only logged.
 */
export async function maySteer(
  deps: SteeringDeps,
  context: Context,
  user: { login: string; type?: string },
  log: Logger,
): Promise<boolean> {
  const decision = await deps.permissions.check(context.octokit, context.repo(), {
    login: user.login,
    type: user.type ?? "User",
  });
  if (!decision.allowed)
    log.info({ sender: user.login, ...decision }, "sender may not steer agents; ignored");
  return decision.allowed;
}

/** Where answers about a command on issue or pull request `issue` go. */
export function threadTarget(context: Context, repoId: number, issue: number): NoticeTarget {
  const { owner, repo } = context.repo();
  return { installationId: installationOf(context), repoId, owner, repo, issue };
}

/** The repository's config, or undefined when it is invalid: then its problems are explained on the thread. */
export async function steeringConfig(
  deps: SteeringDeps,
  context: Context,
  where: NoticeTarget,
  log: Logger,
): Promise<RepoConfig | undefined> {
  const loaded = await loadRepoConfig(context as unknown as Context<"issues">);
  if (loaded.ok) return loaded.config;
  log.info({ problems: loaded.problems }, "invalid repository config; explained");
  await queueNotice(deps.fleet, where, configProblemsMessage(loaded.problems), context.id);
  return undefined;
}
