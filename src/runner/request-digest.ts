import { createHash } from "node:crypto";

/**
 * A fingerprint of what the agent was asked (the issue's title and body when the label was added). The App
 * sends it with the dispatch and the runner, which reads the issue itself, refuses to start when the issue no
 * longer matches: an edit after the label, by anyone who can edit the issue, must not change what runs.
 */
export function requestDigest(issue: { title: string; body: string }): string {
  return createHash("sha256")
    .update(JSON.stringify([issue.title, issue.body]))
    .digest("hex");
}
