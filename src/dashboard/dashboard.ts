import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { DashboardSettings } from "../app/settings.js";
import type { Fleet } from "../fleet/fleet.js";
import type { GitHub } from "../github/octokit.js";
import { ASSETS } from "./assets.js";
import { readDiffStat } from "./diff-stat.js";
import type { RowFilter } from "./fleet-rows.js";
import { cookiesOf, dashboardPath, readForm, redirect, sendPage } from "./http.js";
import { type LiveStreams, streamUpdates } from "./live-updates.js";
import { fleetPage } from "./render/fleet-page.js";
import { messagePage } from "./render/layout.js";
import { taskPage } from "./render/task-page.js";
import { Sessions } from "./sessions.js";
import { beginSignIn, finishSignIn, SESSION_COOKIE, showSignIn, signOut } from "./sign-in.js";
import { NOTICES, type Notice, retryFromDashboard, stopFromDashboard } from "./task-actions.js";
import { SignedOut, UserAccess } from "./user-access.js";
import { Views } from "./views.js";

export interface DashboardDeps {
  fleet: Fleet;
  settings: DashboardSettings;
  /** The REST API root, for the person's own token. */
  apiUrl: string;
  /** The App's client for an installation, for what people may see but their token need not fetch. */
  github: (installationId: number) => Promise<GitHub>;
  log: Logger;
  /** How often live views look for changes. @defaultValue 2000 */
  pollMs?: number;
  /** The open event streams, for the server to end when it stops. */
  streams: LiveStreams;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * The fleet dashboard under `/fleet`: sign-in, the fleet, a task, its live updates, Stop and Retry. Returns a
 * handler that takes the requests it serves and leaves every other one to the next handler.
 */
export function createDashboard(deps: DashboardDeps): Handler {
  const { fleet, settings, log } = deps;
  const sessions = new Sessions(fleet.redis, fleet.keys, settings.clientSecret);
  const views = new Views(fleet, new UserAccess(deps.apiUrl), settings.webUrl);
  const signIn = { settings, apiUrl: deps.apiUrl, sessions, log };
  const live = { sessions, views, log, pollMs: deps.pollMs ?? 2_000, streams: deps.streams };

  /** The signed-in person and their session id, or undefined (their cookie is not, or no longer, a session). */
  const who = async (req: IncomingMessage) => {
    const id = cookiesOf(req)[SESSION_COOKIE];
    const session = await sessions.get(id);
    return session && id
      ? { session, id, viewer: { login: session.login, formToken: sessions.formToken(id) } }
      : undefined;
  };

  const routes: [
    method: string,
    pattern: RegExp,
    serve: (req: IncomingMessage, res: ServerResponse, m: RegExpExecArray) => Promise<void>,
  ][] = [
    ["GET", /^\/fleet\/sign-in$/, (req, res) => beginSignIn(signIn, req, res)],
    ["GET", /^\/fleet\/callback$/, (req, res) => finishSignIn(signIn, req, res)],
    ["POST", /^\/fleet\/sign-out$/, (req, res) => signOut(signIn, req, res)],
    [
      "GET",
      /^\/fleet\/?$/,
      async (req, res) => {
        const url = requestUrl(req);
        const me = await who(req);
        if (!me) return showSignIn(res, url.pathname + url.search);
        const filter = filterOf(url);
        const { rows, choices } = await views.fleetRows(me.session, filter);
        sendPage(res, 200, fleetPage({ rows, choices, filter, viewer: me.viewer, ...noticeOf(url) }));
      },
    ],
    [
      "GET",
      /^\/fleet\/events$/,
      async (req, res) => {
        const url = requestUrl(req);
        const me = await who(req);
        if (!me) return sendPage(res, 401, messagePage("Signed out", "Sign in to see the fleet."));
        const task = url.searchParams.get("task");
        streamUpdates(live, req, res, me.id, task ? { task } : { filter: filterOf(url) });
      },
    ],
    [
      "GET",
      /^\/fleet\/tasks\/([\w-]+)$/,
      async (req, res, match) => {
        const url = requestUrl(req);
        const me = await who(req);
        if (!me) return showSignIn(res, url.pathname);
        const view = await views.task(me.session, match[1] as string);
        if (!view) return notFound(res, me.viewer);
        const diff = view.task.pr ? await readDiffStat(deps.github, view.task) : undefined;
        sendPage(
          res,
          200,
          taskPage({ ...view, ...(diff ? { diff } : {}), viewer: me.viewer, ...noticeOf(url) }),
        );
      },
    ],
    [
      "POST",
      /^\/fleet\/tasks\/([\w-]+)\/(stop|retry)$/,
      async (req, res, match) => {
        const me = await who(req);
        const form = await readForm(req);
        if (!me)
          return sendPage(res, 401, messagePage("Signed out", "Sign in again, then press the button again."));
        if (!sessions.formTokenMatches(me.id, form?.get("token") ?? undefined))
          return sendPage(
            res,
            403,
            messagePage("Not done", "That form has expired: reload the page and try again.", me.viewer),
          );
        const view = await views.task(me.session, match[1] as string);
        if (!view) return notFound(res, me.viewer);
        if (!view.row.mayAct)
          return sendPage(
            res,
            403,
            messagePage(
              "Not allowed",
              `Stopping and retrying agents takes write access to ${view.row.repo}.`,
              me.viewer,
            ),
          );
        const act = match[2] === "stop" ? stopFromDashboard : retryFromDashboard;
        const notice = await act(fleet, view.task, me.session.login);
        log.info({ task: view.task.id, action: match[2], by: me.session.login, notice }, "dashboard action");
        const back = new URL(dashboardPath(form?.get("back")), "http://dashboard");
        back.searchParams.set("notice", notice);
        redirect(res, back.pathname + back.search);
      },
    ],
  ];

  return (req, res) => {
    const url = requestUrl(req);
    if (!url.pathname.startsWith("/fleet")) return false;
    const asset = ASSETS[url.pathname];
    if (asset && req.method === "GET") {
      const fresh = req.headers["if-none-match"] === asset.etag;
      res.writeHead(fresh ? 304 : 200, {
        "content-type": asset.type,
        etag: asset.etag,
        "cache-control": "no-cache",
      });
      res.end(fresh ? undefined : asset.body);
      return true;
    }
    for (const [method, pattern, serve] of routes) {
      const match = pattern.exec(url.pathname);
      if (!match || req.method !== method) continue;
      serve(req, res, match).catch(async (error: unknown) => {
        if (res.headersSent) return void res.end();
        if (error instanceof SignedOut) {
          // GitHub no longer takes the person's token: the session is over.
          await sessions.end(cookiesOf(req)[SESSION_COOKIE]);
          return showSignIn(res, "/fleet", "Your GitHub sign-in has expired or was revoked. Sign in again.");
        }
        log.error({ err: error, path: url.pathname }, "dashboard request failed");
        sendPage(
          res,
          500,
          messagePage("Something went wrong", "The dashboard could not answer; try again in a moment."),
        );
      });
      return true;
    }
    sendPage(res, 404, messagePage("Not found", "There is no such page on the fleet dashboard."));
    return true;
  };
}

/** Without sign-in settings there is no dashboard: `/fleet` says so, and shows nothing else. */
export const dashboardOff: Handler = (req, res) => {
  if (!requestUrl(req).pathname.startsWith("/fleet")) return false;
  sendPage(
    res,
    404,
    messagePage(
      "The fleet dashboard is off",
      "It needs sign-in: set GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET and FLOTILLA_PUBLIC_URL (docs/dashboard.md).",
    ),
  );
  return true;
};

function requestUrl(req: IncomingMessage): URL {
  return new URL(req.url ?? "/", "http://dashboard");
}

function filterOf(url: URL): RowFilter {
  const filter: RowFilter = {};
  for (const key of ["repo", "state", "agent"] as const) {
    const value = url.searchParams.get(key);
    if (value) filter[key] = value;
  }
  return filter;
}

function noticeOf(url: URL): { notice?: string } {
  const notice = url.searchParams.get("notice");
  return notice && notice in NOTICES ? { notice: NOTICES[notice as Notice] } : {};
}

/** A task that does not exist and one the person may not see get the same answer. */
function notFound(res: ServerResponse, viewer: { login: string; formToken: string }): void {
  sendPage(
    res,
    404,
    messagePage("Not found", "There is no such task, or you cannot see its repository.", viewer),
  );
}
