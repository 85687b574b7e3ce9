import type { ProbotOctokit } from "probot";

type Octokit = InstanceType<typeof ProbotOctokit>;

/** Roles that may start, steer or stop agents (DESIGN.md, security model). */
const STEERING_ROLES = new Set(["admin", "maintain", "write"]);
/** Roles that never may, whatever a custom role's base permission says. */
const READ_ROLES = new Set(["read", "triage", "none"]);
/** GitHub's `permission` field for roles built on write or admin (custom repository roles). */
const WRITE_PERMISSIONS = new Set(["admin", "write"]);

export const PERMISSION_CACHE_TTL_MS = 5 * 60 * 1000;
const CACHE_MAX_ENTRIES = 10_000;

export interface Sender {
  login: string;
  type: string;
}

export type SteerDecision =
  | { allowed: true; role: string }
  /** `bot`: bots never steer agents, Flotilla included; `role`: too little access; `error`: GitHub did not say. */
  | { allowed: false; reason: "bot" | "role" | "error"; role?: string; error?: string };

interface Entry {
  decision: SteerDecision;
  expiresAt: number;
}

/**
 * Who may start, steer or stop agents on a repository: people whose `role_name` is admin, maintain or write
 * (or a custom role on write or admin). Answers are cached for at most five minutes, so a revoked role stops
 * working soon; a failed lookup is never cached and denies (fail closed).
 */
/**
 * Someone who never steers agents, whatever they write or quote: an App (Flotilla included) or a `…[bot]`
 * account. A missing user (a deleted account) steers nothing either.
 */
export function isBot(user: { type?: string; login: string } | null | undefined): boolean {
  return !user || user.type === "Bot" || user.login.endsWith("[bot]");
}

export class SenderPermissions {
  private cache = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  async check(
    octokit: Octokit,
    repo: { owner: string; repo: string },
    sender: Sender,
  ): Promise<SteerDecision> {
    if (isBot(sender)) return { allowed: false, reason: "bot" };
    const key = `${repo.owner}/${repo.repo}:${sender.login}`.toLowerCase();
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > this.now()) return cached.decision;
    this.cache.delete(key);
    let decision: SteerDecision;
    try {
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
        ...repo,
        username: sender.login,
      });
      decision = decide(data.role_name, data.permission);
    } catch (error) {
      const status = (error as { status?: number }).status;
      // 404: GitHub knows no such user here. That is an answer (no access), not a failure.
      if (status === 404) decision = { allowed: false, reason: "role", role: "none" };
      else
        return {
          allowed: false,
          reason: "error",
          error: error instanceof Error ? error.message : String(error),
        };
    }
    this.remember(key, decision);
    return decision;
  }

  private remember(key: string, decision: SteerDecision): void {
    if (this.cache.size >= CACHE_MAX_ENTRIES) {
      // Maps keep insertion order: the first key is the oldest entry.
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, { decision, expiresAt: this.now() + PERMISSION_CACHE_TTL_MS });
  }
}

/** The rule itself: `role_name` first; a custom role counts by the base permission GitHub reports for it. */
export function decide(roleName: string, permission: string): SteerDecision {
  if (STEERING_ROLES.has(roleName)) return { allowed: true, role: roleName };
  if (!READ_ROLES.has(roleName) && WRITE_PERMISSIONS.has(permission))
    return { allowed: true, role: roleName };
  return { allowed: false, reason: "role", role: roleName };
}
