import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { DashboardSettings } from "../app/settings.js";
import { cookie, cookiesOf, dashboardPath, readForm, redirect, sendPage } from "./http.js";
import { messagePage, signInPage } from "./render/layout.js";
import type { Sessions } from "./sessions.js";
import { userOctokit } from "./user-access.js";

export const SESSION_COOKIE = "flotilla_session";
/** Ties a sign-in to the browser that began it, so nobody can sign a victim in as themselves. */
const SIGN_IN_COOKIE = "flotilla_sign_in";

export interface SignInDeps {
  settings: DashboardSettings;
  apiUrl: string;
  sessions: Sessions;
  log: Logger;
}

const secure = (settings: DashboardSettings) => settings.publicUrl.startsWith("https:");

/** The sign-in page, for a visitor without a session: it shows nothing of any repository. */
export function showSignIn(res: ServerResponse, returnTo: string, problem?: string): void {
  sendPage(res, 200, signInPage(`/fleet/sign-in?return=${encodeURIComponent(returnTo)}`, problem));
}

/**
 * "Sign in with GitHub", GitHub's web application flow for Apps: 1. to GitHub's authorize page with a
 * one-time `state`; 2. back at the callback, the `state` checked and the code exchanged for a user access
 * token; 3. the person's login read with it, and a session started.
 */
export async function beginSignIn(
  deps: SignInDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { settings, sessions } = deps;
  const url = new URL(req.url ?? "/", "http://dashboard");
  const state = await sessions.beginSignIn(dashboardPath(url.searchParams.get("return")));
  const authorize = new URL(`${settings.webUrl}/login/oauth/authorize`);
  authorize.searchParams.set("client_id", settings.clientId);
  authorize.searchParams.set("redirect_uri", callbackUrl(settings));
  authorize.searchParams.set("state", state);
  redirect(res, authorize.toString(), { "set-cookie": cookie(SIGN_IN_COOKIE, state, 600, secure(settings)) });
}

export async function finishSignIn(
  deps: SignInDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { settings, sessions, log } = deps;
  const url = new URL(req.url ?? "/", "http://dashboard");
  const state = url.searchParams.get("state") ?? "";
  const clear = cookie(SIGN_IN_COOKIE, "", 0, secure(settings));
  const fail = (problem: string) =>
    sendPage(res, 400, signInPage("/fleet/sign-in", problem), { "set-cookie": clear });

  // 2. Our own state, from this browser, once.
  if (!state || cookiesOf(req)[SIGN_IN_COOKIE] !== state)
    return fail("That sign-in did not start in this browser, or it has expired. Sign in again.");
  const returnTo = await sessions.finishSignIn(state);
  if (!returnTo) return fail("That sign-in has expired or was already used. Sign in again.");
  const error = url.searchParams.get("error");
  if (error)
    return fail(
      error === "access_denied"
        ? "You did not authorize Flotilla on GitHub, so you are not signed in."
        : `GitHub did not sign you in: ${url.searchParams.get("error_description") ?? error}.`,
    );
  const code = url.searchParams.get("code");
  if (!code) return fail("GitHub sent no authorization code back. Sign in again.");

  let token: { access_token: string; expires_in?: number };
  let user: { login: string; id: number };
  try {
    token = await exchangeCode(settings, code);
    // 3. Who this is, as GitHub says.
    user = (await userOctokit(deps.apiUrl, token.access_token).rest.users.getAuthenticated()).data;
  } catch (problem) {
    log.warn({ err: problem }, "dashboard sign-in failed at GitHub");
    return fail(`GitHub did not sign you in: ${(problem as Error).message}`);
  }
  const expiresAt = Date.now() + (token.expires_in ?? 8 * 3600) * 1000;
  const id = await sessions.create({
    login: user.login,
    userId: user.id,
    token: token.access_token,
    expiresAt,
  });
  log.info({ login: user.login }, "signed in to the fleet dashboard");
  redirect(res, returnTo, {
    "set-cookie": [clear, cookie(SESSION_COOKIE, id, (expiresAt - Date.now()) / 1000, secure(settings))],
  });
}

export async function signOut(deps: SignInDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const id = cookiesOf(req)[SESSION_COOKIE];
  const form = await readForm(req);
  if (!id || !deps.sessions.formTokenMatches(id, form?.get("token") ?? undefined))
    return sendPage(
      res,
      403,
      messagePage("Not signed out", "That form has expired: reload the page and try again."),
    );
  await deps.sessions.end(id);
  redirect(res, "/fleet", { "set-cookie": cookie(SESSION_COOKIE, "", 0, secure(deps.settings)) });
}

function callbackUrl(settings: DashboardSettings): string {
  return `${settings.publicUrl}/fleet/callback`;
}

/** POST /login/oauth/access_token: GitHub answers 200 with an `error` field when it refuses. */
async function exchangeCode(
  settings: DashboardSettings,
  code: string,
): Promise<{ access_token: string; expires_in?: number }> {
  const response = await fetch(`${settings.webUrl}/login/oauth/access_token`, {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/json" },
    body: JSON.stringify({
      client_id: settings.clientId,
      client_secret: settings.clientSecret,
      code,
      redirect_uri: callbackUrl(settings),
    }),
    signal: AbortSignal.timeout(15_000),
  });
  if (!response.ok) throw new Error(`the token exchange answered ${response.status}`);
  const body = (await response.json()) as {
    access_token?: string;
    expires_in?: number;
    error?: string;
    error_description?: string;
  };
  if (!body.access_token) throw new Error(body.error_description ?? body.error ?? "no access token");
  return { access_token: body.access_token, ...(body.expires_in ? { expires_in: body.expires_in } : {}) };
}
