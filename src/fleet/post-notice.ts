import { createHash } from "node:crypto";
import type { GitHub } from "../github/octokit.js";
import { withRetries } from "../github/with-retries.js";
import { findMarkedComment } from "../publish/marked-comment.js";
import type { Fleet } from "./fleet.js";

/** Where a notice goes: an issue or pull request, and the installation to post it with. */
export interface NoticeTarget {
  installationId: number;
  repoId: number;
  owner: string;
  repo: string;
  issue: number;
}

/**
 * Queues a comment for people (why nothing was started, a reply to a command) rather than posting it from
 * a webhook handler. Keyed by `key`, or by the issue and the text: a redelivery, or `opened` and `labeled`
 * for one new issue, explain it once.
 */
export async function queueNotice(
  fleet: Fleet,
  target: NoticeTarget,
  body: string,
  key?: string,
): Promise<void> {
  const id = key ?? createHash("sha256").update(body).digest("hex").slice(0, 16);
  const { repoId, ...where } = target;
  await fleet.queues.updates.add(
    "notice",
    { kind: "notice", ...where, body },
    // Job ids may not hold `:`; delivery ids and hashes never do.
    { jobId: `notice-r${repoId}-i${target.issue}-${id}` },
  );
}

/** Hidden marker on a notice, so a retried job finds the comment it already posted. */
export function noticeMarker(key: string): string {
  return `<!-- flotilla:notice ${key} -->`;
}

/**
 * Posts a one-off comment explaining why nothing was started, unless the issue already has it: `key` (the
 * issue and a hash of the text) is in a hidden marker, so a retried job, a job that ran before a crash, or the
 * same problem reported by another webhook (`opened` and `labeled` for one new issue) posts it once.
 * Notices are rare, so the extra read is cheap.
 */
export async function postNotice(
  gh: GitHub,
  target: { owner: string; repo: string; issue: number },
  body: string,
  key: string,
): Promise<void> {
  const marker = noticeMarker(key);
  if (await withRetries(() => findMarkedComment(gh, target, (text) => text.includes(marker)))) return;
  await withRetries(() =>
    gh.rest.issues.createComment({
      owner: target.owner,
      repo: target.repo,
      issue_number: target.issue,
      body: `${body}\n\n${marker}`,
    }),
  );
}
