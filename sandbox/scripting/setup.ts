import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { makeCommit } from "../git/make-commit.js";
import { type FileChange, initBare } from "../git/repository.js";
import { runGit } from "../git/run-git.js";
import { acceptedRedirect, appByClientId, authorize } from "../oauth/authorize.js";
import type { Sandbox } from "../sandbox.js";
import type { Permissions, Repo, Role, User } from "../state/model.js";

/**
 * Scripted Apps get the permissions and events of Flotilla's own manifest (app.yml) unless told otherwise,
 * so the sandbox grants exactly what a real installation of Flotilla would.
 */
const manifest = parseYaml(readFileSync(new URL("../../app.yml", import.meta.url), "utf8")) as {
  default_permissions: Permissions;
  default_events: string[];
};
export const DEFAULT_APP_PERMISSIONS: Permissions = manifest.default_permissions;
export const DEFAULT_APP_EVENTS: string[] = manifest.default_events;

function ensureUser(sb: Sandbox, login: string, type: User["type"]): User {
  const existing = sb.store.userByLogin(login);
  if (existing) return existing;
  const user: User = { id: sb.store.nextId(), login, type, name: null, email: null, siteAdmin: false };
  sb.store.users.set(user.id, user);
  return user;
}

function requireUser(sb: Sandbox, login: string): User {
  const user = sb.store.userByLogin(login);
  if (!user) throw new Error(`sandbox: no user ${login}; create it with createUser first`);
  return user;
}

export const setupActions = {
  /** A person (or an organization, or another bot) on the sandbox. */
  createUser(sb: Sandbox, args: { login: string; type?: User["type"]; name?: string; email?: string }) {
    if (sb.store.userByLogin(args.login)) throw new Error(`sandbox: user ${args.login} exists already`);
    const user = ensureUser(sb, args.login, args.type ?? "User");
    user.name = args.name ?? null;
    user.email = args.email ?? null;
    return { id: user.id, login: user.login };
  },

  /** A GitHub App with a fresh key pair; webhooks go to `webhookUrl` signed with `webhookSecret`. */
  createApp(
    sb: Sandbox,
    args: {
      name: string;
      owner?: string;
      webhookUrl?: string | null;
      webhookSecret?: string;
      /** Where "Sign in with GitHub" may return people (the App's Callback URL setting). */
      callbackUrl?: string | null;
      permissions?: Permissions;
      events?: string[];
    },
  ) {
    const slug = args.name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    const owner = ensureUser(sb, args.owner ?? "sandbox-apps", "Organization");
    const { privateKey, publicKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs1", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const bot = ensureUser(sb, `${slug}[bot]`, "Bot");
    const id = sb.store.nextId();
    sb.store.apps.set(id, {
      id,
      slug,
      name: args.name,
      ownerId: owner.id,
      clientId: `Iv1.${randomBytes(8).toString("hex")}`,
      clientSecret: randomBytes(20).toString("hex"),
      callbackUrl: args.callbackUrl ?? null,
      privateKey,
      publicKey,
      webhookSecret: args.webhookSecret ?? randomBytes(20).toString("hex"),
      webhookUrl: args.webhookUrl ?? null,
      permissions: args.permissions ?? { ...DEFAULT_APP_PERMISSIONS },
      events: args.events ?? [...DEFAULT_APP_EVENTS],
      createdAt: sb.store.nowIso(),
      botUserId: bot.id,
    });
    const app = sb.store.apps.get(id);
    return {
      id,
      slug,
      clientId: app?.clientId,
      clientSecret: app?.clientSecret,
      privateKey,
      webhookSecret: app?.webhookSecret,
      botLogin: bot.login,
    };
  },

  /** Sets the App's Callback URL, where "Sign in with GitHub" returns people (null: none). */
  setCallbackUrl(sb: Sandbox, args: { appId: number; callbackUrl: string | null }) {
    const app = sb.store.apps.get(args.appId);
    if (!app) throw new Error(`sandbox: no App ${args.appId}`);
    app.callbackUrl = args.callbackUrl;
    return { appId: app.id, callbackUrl: app.callbackUrl };
  },

  /**
   * A person authorizes the App, as "Continue as <login>" on the authorize page does: the code the App's
   * callback would receive, for tests without a browser.
   */
  authorizeUser(sb: Sandbox, args: { clientId: string; login: string; redirectUri?: string }) {
    const app = appByClientId(sb, args.clientId);
    if (!app) throw new Error(`sandbox: no App with client id ${args.clientId}`);
    const redirect = acceptedRedirect(app, args.redirectUri);
    if (!redirect) throw new Error("sandbox: the redirect URI does not match the App's callback URL");
    return { code: authorize(sb, app, args.login, redirect), redirectUri: redirect };
  },

  /** Points an App's webhooks somewhere else (e.g. once the App under test knows its port). */
  setWebhookUrl(sb: Sandbox, args: { appId: number; webhookUrl: string | null }) {
    const app = sb.store.apps.get(args.appId);
    if (!app) throw new Error(`sandbox: no App ${args.appId}`);
    app.webhookUrl = args.webhookUrl;
    return { appId: app.id, webhookUrl: app.webhookUrl };
  },

  /** Installs an App on an account, for all its repositories or the named ones. */
  installApp(
    sb: Sandbox,
    args: {
      appId: number;
      account: string;
      repositories?: string[];
      permissions?: Permissions;
      events?: string[];
    },
  ) {
    const app = sb.store.apps.get(args.appId);
    if (!app) throw new Error(`sandbox: no App ${args.appId}`);
    const account = requireUser(sb, args.account);
    const selected = new Set<number>();
    for (const name of args.repositories ?? []) selected.add(sb.store.repo(`${account.login}/${name}`).id);
    const id = sb.store.nextId();
    sb.store.installations.set(id, {
      id,
      appId: app.id,
      accountId: account.id,
      repositorySelection: args.repositories ? "selected" : "all",
      repositoryIds: selected,
      permissions: args.permissions ?? { ...app.permissions },
      events: args.events ?? [...app.events],
      createdAt: sb.store.nowIso(),
      suspendedAt: null,
    });
    return { id };
  },

  /**
   * A repository backed by a real bare git repository, with an initial commit of `files` on the default
   * branch. An owner that does not exist yet is created as an organization.
   */
  async createRepo(
    sb: Sandbox,
    args: {
      owner: string;
      name: string;
      private?: boolean;
      defaultBranch?: string;
      description?: string;
      files?: Record<string, FileChange>;
    },
  ) {
    const owner = ensureUser(sb, args.owner, "Organization");
    if (sb.store.repoByName(owner.login, args.name))
      throw new Error(`sandbox: ${owner.login}/${args.name} exists`);
    const defaultBranch = args.defaultBranch ?? "main";
    const gitDir = join(sb.dataDir, "repos", owner.login, `${args.name}.git`);
    await initBare(gitDir, defaultBranch);
    const now = sb.store.nowIso();
    const repo: Repo = {
      id: sb.store.nextId(),
      ownerId: owner.id,
      name: args.name,
      description: args.description ?? null,
      private: args.private ?? true,
      defaultBranch,
      gitDir,
      createdAt: now,
      pushedAt: now,
      collaborators: new Map(),
      labels: [],
      issues: new Map(),
      nextNumber: 1,
      comments: [],
      checkSuites: [],
      checkRuns: [],
      statuses: [],
      workflows: [],
      workflowRuns: [],
    };
    sb.store.repos.set(repo.id, repo);
    let headSha: string | null = null;
    if (args.files && Object.keys(args.files).length > 0) {
      headSha = await makeCommit(gitDir, {
        parent: null,
        files: args.files,
        message: "Initial commit",
        author: { name: owner.login, email: `${owner.login}@users.noreply.sandbox`, date: now },
      });
      // A new repository's first commit: nothing to announce yet, as nothing can be subscribed to it.
      await runGit(gitDir, ["update-ref", `refs/heads/${defaultBranch}`, headSha]);
    }
    return { id: repo.id, fullName: `${owner.login}/${repo.name}`, defaultBranch, headSha, gitDir };
  },

  /** Gives a user a role on a repository (admin, maintain, write, triage, read). */
  addCollaborator(sb: Sandbox, args: { repo: string; user: string; role: Role }) {
    const repo = sb.store.repo(args.repo);
    const user = requireUser(sb, args.user);
    repo.collaborators.set(user.id, args.role);
    return { repo: args.repo, user: user.login, role: args.role };
  },

  /** Moves the sandbox clock (e.g. past a token's expiry). */
  advanceClock(sb: Sandbox, args: { ms: number }) {
    sb.store.clockOffsetMs += args.ms;
    return { now: sb.store.nowIso() };
  },
};

export { ensureUser, requireUser };
