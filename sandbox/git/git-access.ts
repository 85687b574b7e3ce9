import { authenticate, checkPermission, checkRepoAccess } from "../auth/authenticate.js";
import { HttpError } from "../http/errors.js";
import type { Sandbox } from "../sandbox.js";
import type { AccessLevel, Repo, User } from "../state/model.js";

/** A refused git request: status, the text git prints after `remote:`, and headers (the Basic challenge). */
export class GitAccessError extends Error {
  override name = "GitAccessError";
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Who a git request acts as: the installation's bot (null for an anonymous read of a public repository). */
export interface GitAccess {
  user: User | null;
  login: string;
}

/** git asks for credentials only after this challenge; GitHub sends it for every unauthenticated refusal. */
const CHALLENGE = { "www-authenticate": 'Basic realm="GitHub"' };

/**
 * GitHub's rules for git over HTTPS with an App: HTTP Basic with an installation token as the password
 * (user `x-access-token` by convention, any user accepted; a token alone as the user works too).
 * Missing or bad credentials → 401 with a Basic challenge; a repository the token cannot see → 404
 * "Repository not found." (hiding private repositories); a token without the contents permission → 403.
 */
export function authorizeGit(
  sb: Sandbox,
  header: string | undefined,
  repo: Repo | undefined,
  level: AccessLevel,
): GitAccess {
  const token = basicToken(header);
  if (!token) {
    if (repo && !repo.private && level === "read") return { user: null, login: "" };
    throw new GitAccessError(401, "Authentication required", CHALLENGE);
  }
  let caller: ReturnType<typeof authenticate>;
  try {
    caller = authenticate(`token ${token}`, sb.store);
  } catch (error) {
    if (error instanceof HttpError) throw new GitAccessError(401, "Invalid username or token.", CHALLENGE);
    throw error;
  }
  if (caller.kind !== "installation") throw new GitAccessError(401, "Invalid username or token.", CHALLENGE);
  if (!repo) throw new GitAccessError(404, "Repository not found.");
  try {
    checkRepoAccess(caller, repo, sb.store);
  } catch {
    throw new GitAccessError(404, "Repository not found.");
  }
  const access = { user: caller.botUser, login: caller.botUser.login };
  if (!repo.private && level === "read") return access;
  try {
    checkPermission(caller, ["contents", level]);
  } catch {
    const name = `${sb.store.fullName(repo)}.git`;
    throw new GitAccessError(403, `Permission to ${name} denied to ${caller.botUser.login}.`);
  }
  return access;
}

/** `Authorization: Basic base64(user:token)` → the token (the password, or the user when there is none). */
export function basicToken(header: string | undefined): string | null {
  const match = /^basic\s+(\S+)$/i.exec(header?.trim() ?? "");
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? "" : decoded.slice(colon + 1);
  return password || user || null;
}
