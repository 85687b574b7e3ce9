import { notFound } from "../http/errors.js";
import type { RouteContext } from "../http/route.js";
import type { Actor } from "../lifecycle/actor.js";

/**
 * The actor behind a REST call: an installation acts as its App's bot user, so what the App does through
 * the API reaches webhooks with `sender` = `<slug>[bot]` (which is how Flotilla recognises its own actions).
 */
export function actorOf(ctx: RouteContext): Actor {
  if (ctx.caller.kind !== "installation") throw notFound();
  return { user: ctx.caller.botUser, viaAppId: ctx.caller.installation.appId };
}

/** Label names from any of the shapes GitHub accepts: `{labels: [...]}` or a bare array, names or `{name}`. */
export function labelNames(body: unknown): string[] {
  const list = Array.isArray(body) ? body : ((body as { labels?: unknown[] } | undefined)?.labels ?? []);
  return list.map((item) =>
    typeof item === "string" ? item : String((item as { name?: unknown }).name ?? ""),
  );
}

/** Sort and order records by a timestamp field, as GitHub's `sort`/`direction` parameters do. */
export function byDate<T>(items: T[], key: (item: T) => string, direction: string | null): T[] {
  const sign = direction === "asc" ? 1 : -1;
  return [...items].sort((a, b) => sign * key(a).localeCompare(key(b)));
}
