import type { Context } from "probot";
import type { Fleet } from "../../fleet/fleet.js";

export interface GateMergeGroupDeps {
  fleet: Fleet;
}

/** `merge_group.checks_requested`: the merge queue asks for the required checks on its merge commit. */
export function gateMergeGroup(deps: GateMergeGroupDeps) {
  return async (context: Context<"merge_group.checks_requested">): Promise<void> => {
    const { merge_group: group, repository, installation } = context.payload;
    if (!installation || !repository)
      throw new Error("merge_group webhook without installation or repository; is it from the GitHub App?");
    await deps.fleet.queues.reviews.add(
      "merge-group",
      {
        kind: "merge-group",
        installationId: installation.id,
        repo: { id: repository.id, owner: repository.owner.login, name: repository.name },
        headSha: group.head_sha,
        headRef: group.head_ref,
      },
      { jobId: `merge-group-${repository.id}-${group.head_sha}` },
    );
  };
}
