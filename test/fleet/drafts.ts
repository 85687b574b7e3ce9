import type { TaskDraft } from "../../src/fleet/scheduler.js";
import { branchFor, taskIdFor } from "../../src/fleet/task.js";

/** A task as the webhook handler drafts it, for repository `repoId` (7 unless given). */
export function draft(issue: number, agent = "scripted", repoId = 7): TaskDraft {
  return {
    id: taskIdFor(repoId, issue, agent),
    repo: {
      id: repoId,
      owner: "acme",
      name: "widgets",
      defaultBranch: "main",
      cloneUrl: "http://x/acme/widgets.git",
    },
    installationId: 1,
    issue,
    agent,
    sender: "alice",
    branch: branchFor(issue, agent),
    settings: {
      backend: "local",
      agent: { adapter: "command", command: ["true"], timeout: 60_000, maxOutput: 1024 * 1024, secrets: [] },
      protectedPaths: [],
      limits: { maxFilesChanged: 10, maxBytesChanged: 1000 },
      prompt: { comments: "writers", maxSize: 64 * 1024 },
    },
  };
}
