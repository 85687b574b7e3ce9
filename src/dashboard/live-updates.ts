import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { RowFilter } from "./fleet-rows.js";
import { startEventStream } from "./http.js";
import { filterQuery, rowsHtml, summary } from "./render/fleet-page.js";
import { taskDetails } from "./render/task-page.js";
import type { Sessions } from "./sessions.js";
import { SignedOut } from "./user-access.js";
import type { Views } from "./views.js";

/** Sent when nothing changed, so proxies and browsers keep the stream open. */
const HEARTBEAT_MS = 15_000;

export interface LiveDeps {
  sessions: Sessions;
  views: Views;
  log: Logger;
  /** How often the stream looks for changes. */
  pollMs: number;
  streams: LiveStreams;
}

/**
 * The event streams open now. A stream never ends by itself, and the HTTP server's close waits for every
 * response to end, so shutting down ends them first (the browsers reconnect to another process).
 */
export class LiveStreams {
  private readonly open = new Set<() => void>();

  add(end: () => void): () => void {
    this.open.add(end);
    return () => this.open.delete(end);
  }

  closeAll(): void {
    for (const end of [...this.open]) end();
  }
}

/** What a stream watches: the fleet (with the page's filters) or one task. */
export type Watched = { filter: RowFilter } | { task: string };

/**
 * `/fleet/events`: server-sent events with the part of the page that changed, rendered here with the same
 * code as the page, so the browser's script only swaps it in. The session and the person's access are
 * checked again on every look: a signed-out or revoked person stops getting anything at once.
 */
export function streamUpdates(
  deps: LiveDeps,
  req: IncomingMessage,
  res: ServerResponse,
  sessionId: string,
  watched: Watched,
): void {
  startEventStream(res);
  let last = "";
  let quietSince = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let open = true;
  const forget = deps.streams.add(() => res.end());
  req.on("close", () => {
    open = false;
    clearTimeout(timer);
    forget();
  });
  const send = (event: string, data: string) => res.write(`event: ${event}\ndata: ${data}\n\n`);

  const look = async () => {
    if (!open) return;
    try {
      const session = await deps.sessions.get(sessionId);
      if (!session) throw new SignedOut("the session ended");
      const formToken = deps.sessions.formToken(sessionId);
      let payload: string;
      if ("task" in watched) {
        const view = await deps.views.task(session, watched.task);
        payload = JSON.stringify({
          html: view
            ? taskDetails({ ...view, viewer: { login: session.login, formToken } }).text
            : "<p>This task is gone.</p>",
        });
      } else {
        const { rows } = await deps.views.fleetRows(session, watched.filter);
        const query = filterQuery(watched.filter);
        payload = JSON.stringify({
          html: rowsHtml(rows, formToken, `/fleet${query ? `?${query}` : ""}`).text,
          summary: summary(rows),
        });
      }
      if (payload !== last) {
        send("update", payload);
        last = payload;
        quietSince = Date.now();
      } else if (Date.now() - quietSince >= HEARTBEAT_MS) {
        res.write(": still here\n\n");
        quietSince = Date.now();
      }
    } catch (error) {
      if (error instanceof SignedOut) {
        send("signed-out", "{}");
        res.end();
        open = false;
        return;
      }
      // Redis or GitHub away for a moment: the page keeps what it shows and the stream tries again.
      deps.log.warn({ err: error }, "dashboard live update failed");
    }
    if (open) timer = setTimeout(look, deps.pollMs);
  };
  void look();
}
