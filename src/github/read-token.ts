import type { GitHub } from "./octokit.js";

/**
 * A token that can only read one repository's contents, for fetching it onto a worker host where the agent
 * also runs. The installation's own token could write to every repository it covers. Minted with the App's
 * JWT (Octokit's app auth signs this route itself); it expires within the hour.
 */
export async function readOnlyToken(
  gh: GitHub,
  installationId: number,
  repositoryId: number,
): Promise<string> {
  const { data } = await gh.request("POST /app/installations/{installation_id}/access_tokens", {
    installation_id: installationId,
    repository_ids: [repositoryId],
    permissions: { contents: "read" },
  });
  return data.token;
}
