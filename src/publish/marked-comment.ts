import type { GitHub } from "../github/octokit.js";

/**
 * The first comment on an issue that a bot wrote and `isOurs` recognises by its hidden marker, or undefined.
 * Only bots' comments count, so a person quoting a marker never has their comment taken for Flotilla's.
 * Pages are read until the first match: Flotilla's comments come early in an issue's life.
 */
export async function findMarkedComment(
  gh: GitHub,
  target: { owner: string; repo: string; issue: number },
  isOurs: (body: string) => boolean,
): Promise<{ id: number; body: string } | undefined> {
  const pages = gh.paginate.iterator(gh.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issue,
    per_page: 100,
  });
  for await (const { data } of pages) {
    const found = data.find((c) => c.user?.type === "Bot" && c.body !== undefined && isOurs(c.body));
    if (found) return { id: found.id, body: found.body ?? "" };
  }
  return undefined;
}
