import { randomBytes } from "node:crypto";
import type { Sandbox } from "../sandbox.js";
import type { App, UserToken } from "../state/model.js";

const CODE_LIFETIME_MS = 10 * 60 * 1000;
const USER_TOKEN_LIFETIME_S = 8 * 60 * 60;
const REFRESH_TOKEN_LIFETIME_S = 184 * 24 * 60 * 60;
const DOCS =
  "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors";

/** An error as GitHub's OAuth endpoints name it, with the description and link they send. */
export interface OAuthError {
  error: "redirect_uri_mismatch" | "bad_verification_code" | "incorrect_client_credentials";
  error_description: string;
  error_uri: string;
}

const ERRORS: Record<OAuthError["error"], string> = {
  redirect_uri_mismatch: "The redirect_uri MUST match the registered callback URL for this application.",
  bad_verification_code: "The code passed is incorrect or expired.",
  incorrect_client_credentials: "The client_id and/or client_secret passed are incorrect.",
};

export function oauthError(error: OAuthError["error"]): OAuthError {
  return { error, error_description: ERRORS[error], error_uri: `${DOCS}#${error.replace(/_/g, "-")}` };
}

export function appByClientId(sb: Sandbox, clientId: string | null | undefined): App | undefined {
  return [...sb.store.apps.values()].find((app) => app.clientId === clientId && !app.builtIn);
}

/**
 * The redirect GitHub accepts: the registered callback URL when none is given; else one with the callback's
 * host and port whose path is the callback's or below it. undefined: not acceptable.
 */
export function acceptedRedirect(app: App, redirectUri: string | null | undefined): string | undefined {
  if (!app.callbackUrl) return undefined;
  if (!redirectUri) return app.callbackUrl;
  let given: URL;
  let registered: URL;
  try {
    given = new URL(redirectUri);
    registered = new URL(app.callbackUrl);
  } catch {
    return undefined;
  }
  const base = registered.pathname.replace(/\/+$/, "");
  const under = given.pathname === registered.pathname || given.pathname.startsWith(`${base}/`);
  return given.protocol === registered.protocol && given.host === registered.host && under
    ? redirectUri
    : undefined;
}

/** A person authorizes the App (the authorize page's "Continue as"): a one-use code for the App to exchange. */
export function authorize(sb: Sandbox, app: App, login: string, redirectUri: string): string {
  const user = sb.store.userByLogin(login);
  if (user?.type !== "User") throw new Error(`sandbox: no person ${login}`);
  const code = randomBytes(10).toString("hex");
  sb.store.authorizationCodes.set(code, {
    code,
    appId: app.id,
    userId: user.id,
    redirectUri,
    expiresAt: sb.store.now() + CODE_LIFETIME_MS,
  });
  return code;
}

/** `POST /login/oauth/access_token`: a code, once, for the App that it was given to, with its secret. */
export function exchange(
  sb: Sandbox,
  params: { client_id?: string; client_secret?: string; code?: string; redirect_uri?: string },
):
  | {
      access_token: string;
      expires_in: number;
      refresh_token: string;
      refresh_token_expires_in: number;
      token_type: "bearer";
      scope: "";
    }
  | OAuthError {
  const app = appByClientId(sb, params.client_id);
  if (!app || params.client_secret !== app.clientSecret) return oauthError("incorrect_client_credentials");
  const grant = sb.store.authorizationCodes.get(params.code ?? "");
  if (!grant || grant.appId !== app.id || grant.expiresAt <= sb.store.now())
    return oauthError("bad_verification_code");
  if (params.redirect_uri && params.redirect_uri !== grant.redirectUri)
    return oauthError("redirect_uri_mismatch");
  sb.store.authorizationCodes.delete(grant.code);
  const token: UserToken = {
    token: `ghu_${randomBytes(18).toString("base64url")}`,
    appId: app.id,
    userId: grant.userId,
    expiresAt: sb.store.now() + USER_TOKEN_LIFETIME_S * 1000,
  };
  sb.store.userTokens.set(token.token, token);
  return {
    access_token: token.token,
    expires_in: USER_TOKEN_LIFETIME_S,
    refresh_token: `ghr_${randomBytes(30).toString("base64url")}`,
    refresh_token_expires_in: REFRESH_TOKEN_LIFETIME_S,
    token_type: "bearer",
    scope: "",
  };
}
