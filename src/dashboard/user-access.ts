import { Octokit } from "@octokit/rest";
import type { Session } from "./sessions.js";

/** A repository the signed-in person can see through the App, and whether they may stop or retry there. */
export interface RepoAccess {
  id: number;
  fullName: string;
  /** Write access (push, maintain or admin): the same people who may steer agents with `/agent`. */
  write: boolean;
}

/** The person's token no longer works (revoked, expired): they must sign in again. */
export class SignedOut extends Error {
  override name = "SignedOut";
}

/** How long an answer is trusted: a person whose access is taken away loses it here within this. */
const TTL_MS = 60_000;

/**
 * Which repositories a person may see on the dashboard: those of the App's installations that GitHub lists
 * for their user access token, so the answer is GitHub's, never Flotilla's guess. Asked once a minute at most
 * per session, since every page and live update needs it.
 */
export class UserAccess {
  private readonly cache = new Map<string, { at: number; repos: Promise<Map<number, RepoAccess>> }>();

  constructor(
    private readonly apiUrl: string,
    private readonly ttlMs = TTL_MS,
  ) {}

  async of(session: Session): Promise<Map<number, RepoAccess>> {
    const now = Date.now();
    for (const [token, entry] of this.cache) if (now - entry.at > this.ttlMs) this.cache.delete(token);
    let entry = this.cache.get(session.token);
    if (!entry) {
      entry = { at: now, repos: this.ask(session.token) };
      this.cache.set(session.token, entry);
      // A failed answer is not kept: the next request asks again.
      entry.repos.catch(() => this.cache.delete(session.token));
    }
    return entry.repos;
  }

  private async ask(token: string): Promise<Map<number, RepoAccess>> {
    const github = userOctokit(this.apiUrl, token);
    const repos = new Map<number, RepoAccess>();
    try {
      const installations = await github.paginate("GET /user/installations", { per_page: 100 });
      for (const installation of installations) {
        const list = await github.paginate("GET /user/installations/{installation_id}/repositories", {
          installation_id: installation.id,
          per_page: 100,
        });
        for (const repo of list) {
          const p = repo.permissions;
          repos.set(repo.id, {
            id: repo.id,
            fullName: repo.full_name,
            write: Boolean(p?.push || p?.maintain || p?.admin),
          });
        }
      }
    } catch (error) {
      if ((error as { status?: number }).status === 401)
        throw new SignedOut("the GitHub token is no longer valid");
      throw error;
    }
    return repos;
  }
}

/** Octokit for a person's user access token; its own request log would repeat what the dashboard logs. */
export function userOctokit(apiUrl: string, token: string): Octokit {
  return new Octokit({ baseUrl: apiUrl, auth: token, log: { debug() {}, info() {}, warn() {}, error() {} } });
}
