import type {
  App,
  AuthorizationCode,
  Installation,
  InstallationToken,
  Repo,
  Role,
  User,
  UserToken,
} from "./model.js";

/** Role → what it allows, in GitHub's order; used for permission answers and checks. */
export const ROLE_RANK: Record<Role, number> = { read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

/**
 * All sandbox state in memory (repositories' git data lives on disk, see `sandbox/git`). One instance per
 * sandbox; ids come from one counter so no two resources of any kind share an id, which catches code that
 * mixes them up.
 */
export class Store {
  private nextIdValue = 1000;
  readonly users = new Map<number, User>();
  readonly apps = new Map<number, App>();
  readonly installations = new Map<number, Installation>();
  readonly repos = new Map<number, Repo>();
  readonly tokens = new Map<string, InstallationToken>();
  readonly userTokens = new Map<string, UserToken>();
  readonly authorizationCodes = new Map<string, AuthorizationCode>();
  /** The clock the sandbox uses for timestamps; tests may move it forward to expire tokens. */
  clockOffsetMs = 0;

  nextId(): number {
    this.nextIdValue += 1;
    return this.nextIdValue;
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  nowIso(): string {
    return new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  userByLogin(login: string): User | undefined {
    const wanted = login.toLowerCase();
    for (const user of this.users.values()) if (user.login.toLowerCase() === wanted) return user;
    return undefined;
  }

  user(id: number): User {
    const user = this.users.get(id);
    if (!user) throw new Error(`sandbox: no user with id ${id}`);
    return user;
  }

  repoByName(owner: string, name: string): Repo | undefined {
    const ownerUser = this.userByLogin(owner);
    if (!ownerUser) return undefined;
    const wanted = name.toLowerCase();
    for (const repo of this.repos.values()) {
      if (repo.ownerId === ownerUser.id && repo.name.toLowerCase() === wanted) return repo;
    }
    return undefined;
  }

  /** `owner/name` → repository, or a clear error for scripting calls that name one that is not there. */
  repo(fullName: string): Repo {
    const [owner, name] = fullName.split("/");
    const repo = owner && name ? this.repoByName(owner, name) : undefined;
    if (!repo) throw new Error(`sandbox: no repository ${fullName}`);
    return repo;
  }

  fullName(repo: Repo): string {
    return `${this.user(repo.ownerId).login}/${repo.name}`;
  }

  /** The installations that can see this repository (one per App installed on its owner). */
  installationsForRepo(repo: Repo): Installation[] {
    return [...this.installations.values()].filter(
      (inst) =>
        inst.accountId === repo.ownerId &&
        inst.suspendedAt === null &&
        (inst.repositorySelection === "all" || inst.repositoryIds.has(repo.id)),
    );
  }

  reposForInstallation(inst: Installation): Repo[] {
    return [...this.repos.values()].filter(
      (repo) =>
        repo.ownerId === inst.accountId &&
        (inst.repositorySelection === "all" || inst.repositoryIds.has(repo.id)),
    );
  }

  /** The role a user has on a repository: owner → admin, listed collaborator → their role, else read/none. */
  roleOf(repo: Repo, userId: number): Role | null {
    if (repo.ownerId === userId) return "admin";
    const role = repo.collaborators.get(userId);
    if (role) return role;
    return repo.private ? null : "read";
  }
}
