import type { IncomingHttpHeaders } from "node:http";
import type { Sandbox } from "../sandbox.js";
import type {
  AccessLevel,
  App,
  Installation,
  InstallationToken,
  Repo,
  User,
  UserToken,
} from "../state/model.js";

/** Who is calling: the App itself (JWT), or an installation (token). */
export type Caller =
  | { kind: "app"; appId: number }
  | { kind: "installation"; token: InstallationToken; installation: Installation; botUser: User }
  /** A person, through the App that holds their user access token ("Sign in with GitHub"). */
  | { kind: "user"; token: UserToken; user: User; app: App };

export interface RouteContext {
  sandbox: Sandbox;
  caller: Caller;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body, already checked against GitHub's schema for the operation. */
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  /** The repository named by `{owner}/{repo}`, resolved and access-checked before the handler runs. */
  repo: Repo;
  /** Absolute URL of this request, for Link headers. */
  url: URL;
}

export interface Reply {
  status: number;
  body?: unknown;
  /** Raw bytes (zip archives, git objects) instead of JSON. */
  raw?: Buffer;
  headers?: Record<string, string>;
}

export interface Route {
  /** `METHOD /template` exactly as in GitHub's OpenAPI description. */
  op: string;
  /** Who may call it: the App with its JWT, an installation token, or a user access token. */
  auth: "app" | "installation" | "user";
  /** The installation permission the call needs, e.g. `["issues", "write"]`. */
  permission?: [string, AccessLevel];
  handle(ctx: RouteContext): Reply | Promise<Reply>;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  status,
  body,
  ...(headers ? { headers } : {}),
});

export const noContent = (): Reply => ({ status: 204 });
