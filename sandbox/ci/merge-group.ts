import { resolveCommit } from "../git/objects.js";
import { signatureEnv } from "../git/repository.js";
import { runGit } from "../git/run-git.js";
import type { Sandbox } from "../sandbox.js";
import type { Repo, User } from "../state/model.js";
import { ciOnHeadSha } from "./ci-actor.js";
import { commitInfo, simpleCommit } from "./commits.js";

/**
 * A pull request enters the merge queue: GitHub merges its head onto the base in a temporary
 * `gh-readonly-queue/<base>/pr-<n>-<sha>` branch, sends `merge_group.checks_requested`, and CI runs there.
 */
export async function enqueueMergeGroup(sb: Sandbox, repo: Repo, number: number, sender: User) {
  const pull = repo.issues.get(number)?.pull;
  if (!pull) throw new Error(`sandbox: ${repo.name} has no pull request #${number}`);
  const baseSha = await resolveCommit(repo.gitDir, `refs/heads/${pull.baseRef}`);
  if (!baseSha) throw new Error(`sandbox: base branch ${pull.baseRef} is gone`);
  // `merge-tree --write-tree` exits 1 on conflicts: a PR that conflicts cannot enter the queue.
  const merged = await runGit(repo.gitDir, ["merge-tree", "--write-tree", baseSha, pull.headSha], {
    okExitCodes: [1],
  });
  const [tree, ...conflicts] = merged.toString("utf8").trim().split("\n");
  if (!tree || conflicts.length > 0)
    throw new Error(`sandbox: pull request #${number} conflicts with ${pull.baseRef}`);
  const now = sb.store.nowIso();
  const who = { name: "GitHub", email: "noreply@github.com", date: now };
  const message = `Merge pull request #${number} from ${pull.headRef}`;
  const headSha = (
    await runGit(repo.gitDir, ["commit-tree", tree, "-p", baseSha, "-p", pull.headSha, "-m", message], {
      env: signatureEnv(who),
    })
  )
    .toString("utf8")
    .trim();
  const branch = `gh-readonly-queue/${pull.baseRef}/pr-${number}-${pull.headSha}`;
  await runGit(repo.gitDir, ["update-ref", `refs/heads/${branch}`, headSha]);
  const head = await commitInfo(repo, headSha);
  sb.webhooks.emit({
    event: "merge_group",
    repo,
    sender,
    payload: {
      action: "checks_requested",
      merge_group: {
        head_sha: headSha,
        head_ref: `refs/heads/${branch}`,
        base_sha: baseSha,
        base_ref: `refs/heads/${pull.baseRef}`,
        head_commit: head ? simpleCommit(head) : null,
      },
    },
  });
  await ciOnHeadSha(sb, repo, headSha, branch);
  return { headSha, headRef: `refs/heads/${branch}`, baseSha };
}
