import type { Reply, RouteContext } from "./route.js";

/**
 * Pages a list the way GitHub does: `per_page` (default 30, at most 100) and `page`, with a Link header
 * carrying next/last/first/prev so Octokit's paginate() walks it.
 */
export function paginate<T>(
  ctx: RouteContext,
  items: T[],
  wrap?: (page: T[], total: number) => unknown,
): Reply {
  const perPage = Math.min(100, Math.max(1, Number(ctx.query.get("per_page") ?? 30) || 30));
  const page = Math.max(1, Number(ctx.query.get("page") ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const link = (n: number, rel: string): string => {
    const url = new URL(ctx.url);
    url.searchParams.set("per_page", String(perPage));
    url.searchParams.set("page", String(n));
    return `<${url.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, "prev"));
  if (page < last) links.push(link(page + 1, "next"), link(last, "last"));
  if (page > 1) links.push(link(1, "first"));
  return {
    status: 200,
    body: wrap ? wrap(slice, items.length) : slice,
    ...(links.length ? { headers: { link: links.join(", ") } } : {}),
  };
}
