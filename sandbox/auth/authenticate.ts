import {
  badCredentials,
  HttpError,
  notAccessible,
  notFound,
  requiresAuthentication,
} from "../http/errors.js";
import type { Caller, Route } from "../http/route.js";
import type { AccessLevel, Repo } from "../state/model.js";
import type { Store } from "../state/store.js";
import { verifyAppJwt } from "./app-jwt.js";

const LEVEL_RANK: Record<AccessLevel, number> = { read: 1, write: 2, admin: 3 };

/** Whether a granted permission level covers the one needed (admin covers write covers read). */
export function covers(granted: AccessLevel | undefined, needed: AccessLevel): boolean {
  return granted !== undefined && LEVEL_RANK[granted] >= LEVEL_RANK[needed];
}

/** `Authorization: token X` / `Bearer X` → who is calling. Throws the 401 GitHub would send. */
export function authenticate(header: string | undefined, store: Store): Caller {
  if (!header) throw requiresAuthentication();
  const match = /^(?:token|bearer)\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) throw badCredentials();
  const credential = match[1];
  if (credential.split(".").length === 3) {
    const app = verifyAppJwt(credential, store.apps.values(), store.now());
    if ("error" in app) throw new HttpError(401, app.error);
    return { kind: "app", appId: app.id };
  }
  const user = store.userTokens.get(credential);
  if (user) {
    const app = store.apps.get(user.appId);
    if (user.expiresAt <= store.now() || !app) throw badCredentials();
    return { kind: "user", token: user, user: store.user(user.userId), app };
  }
  const token = store.tokens.get(credential);
  if (!token || token.expiresAt <= store.now()) throw badCredentials();
  const installation = store.installations.get(token.installationId);
  if (!installation || installation.suspendedAt !== null) throw badCredentials();
  const app = store.apps.get(installation.appId);
  if (!app) throw badCredentials();
  return { kind: "installation", token, installation, botUser: store.user(app.botUserId) };
}

/** The route's caller kind: an installation token cannot call App-JWT routes and the other way round. */
export function checkCallerKind(route: Route, caller: Caller): void {
  if (route.auth === caller.kind) return;
  if (route.auth === "app") {
    throw new HttpError(401, "A JSON web token could not be decoded");
  }
  if (caller.kind === "user")
    throw new HttpError(403, "Resource not accessible by integration", {
      sandbox: "the sandbox serves user access tokens on the /user routes only",
    });
  throw new HttpError(403, "Resource not accessible by integration");
}

/**
 * An installation token reaches a repository only when its installation covers it and the token was not
 * narrowed away from it. GitHub answers 404 otherwise, so that private repositories stay unseen.
 */
export function checkRepoAccess(caller: Caller, repo: Repo, store: Store): void {
  if (caller.kind !== "installation") return;
  const { installation, token } = caller;
  const covered = store.installationsForRepo(repo).some((inst) => inst.id === installation.id);
  if (!covered) throw notFound();
  if (token.repositoryIds && !token.repositoryIds.has(repo.id)) throw notFound();
}

export function checkPermission(caller: Caller, needed: Route["permission"]): void {
  if (!needed || caller.kind !== "installation") return;
  const [name, level] = needed;
  const granted = caller.token.permissions[name];
  if (!covers(granted, level)) throw notAccessible();
}
