import type { Caller } from "../http/route.js";
import type { Sandbox } from "../sandbox.js";
import type { User } from "../state/model.js";
import type { Signature } from "./repository.js";

/**
 * The email GitHub gives a user who keeps theirs private, and a bot: `<id>+<login>@users.noreply.github.com`.
 * Commits made through the API by an installation carry this for the App's `<slug>[bot]` user.
 */
export function noreplyEmail(user: User): string {
  return `${user.id}+${user.login}@users.noreply.github.com`;
}

export function signatureOf(user: User, date: string): Signature {
  return { name: user.name ?? user.login, email: user.email ?? noreplyEmail(user), date };
}

/** The sandbox user a commit email belongs to (their email, or a noreply address naming them), if any. */
export function userForEmail(sb: Sandbox, email: string): User | undefined {
  const wanted = email.toLowerCase();
  for (const user of sb.store.users.values()) {
    if (user.email?.toLowerCase() === wanted || noreplyEmail(user).toLowerCase() === wanted) return user;
  }
  const match = /^(?:\d+\+)?([^@]+)@users\.noreply\./i.exec(email);
  return match?.[1] ? sb.store.userByLogin(match[1]) : undefined;
}

/** Who acts for a REST caller: the installation's `<slug>[bot]`, or the App's bot for an App JWT. */
export function actingUser(sb: Sandbox, caller: Caller): User {
  if (caller.kind === "installation") return caller.botUser;
  // A user access token acts as its person (what GitHub shows for what an App does on someone's behalf).
  if (caller.kind === "user") return caller.user;
  const app = sb.store.apps.get(caller.appId);
  if (!app) throw new Error(`sandbox: no App ${caller.appId}`);
  return sb.store.user(app.botUserId);
}
