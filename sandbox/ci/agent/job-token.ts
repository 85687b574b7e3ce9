import { randomBytes } from "node:crypto";
import type { Sandbox } from "../../sandbox.js";
import type { AccessLevel, Permissions, Repo } from "../../state/model.js";
import { actionsInstallation, JOB_TOKEN_SCOPES } from "../github-actions-app.js";

/** GITHUB_TOKEN ends with its job, or after 24 hours at the latest. */
const JOB_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;

const SCOPES: readonly string[] = JOB_TOKEN_SCOPES;

/**
 * A workflow's `permissions:` as App permissions: `pull-requests` → `pull_requests`, `none` left out,
 * `read-all`/`write-all` for every scope, and `metadata: read` always. Without any `permissions:` GitHub
 * grants its (permissive) default: every scope writable.
 */
export function jobPermissions(declared: unknown): Permissions {
  const all = (level: AccessLevel): Permissions =>
    Object.fromEntries([...SCOPES.map((s) => [s, level]), ["metadata", "read"]]);
  if (declared === undefined || declared === null || declared === "write-all") return all("write");
  if (declared === "read-all") return all("read");
  const out: Permissions = { metadata: "read" };
  if (typeof declared !== "object") return out;
  for (const [key, level] of Object.entries(declared as Record<string, unknown>)) {
    const scope = key.replace(/-/g, "_");
    if (SCOPES.includes(scope) && (level === "read" || level === "write")) out[scope] = level;
  }
  return out;
}

/** An installation token of the GitHub Actions App for this one repository, with these permissions. */
export function mintJobToken(sb: Sandbox, repo: Repo, permissions: Permissions): string {
  const installation = actionsInstallation(sb, repo);
  const token = `ghs_${randomBytes(18).toString("hex")}`;
  sb.store.tokens.set(token, {
    token,
    installationId: installation.id,
    expiresAt: sb.store.now() + JOB_TOKEN_LIFETIME_MS,
    permissions,
    repositoryIds: new Set([repo.id]),
  });
  return token;
}

export function revokeToken(sb: Sandbox, token: string): void {
  sb.store.tokens.delete(token);
}

/** What a live installation token may do, or null for one that is unknown, expired or revoked. */
export function tokenInfo(sb: Sandbox, token: string) {
  const record = sb.store.tokens.get(token);
  if (!record || record.expiresAt <= sb.store.now()) return null;
  const installation = sb.store.installations.get(record.installationId);
  const app = installation ? sb.store.apps.get(installation.appId) : undefined;
  if (!installation || !app) return null;
  const repos = record.repositoryIds
    ? [...record.repositoryIds].flatMap((id) => sb.store.repos.get(id) ?? [])
    : sb.store.reposForInstallation(installation);
  return {
    app: app.slug,
    installationId: installation.id,
    permissions: { ...record.permissions },
    repositories: repos.map((r) => sb.store.fullName(r)).sort(),
    expiresAt: new Date(record.expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
  };
}
