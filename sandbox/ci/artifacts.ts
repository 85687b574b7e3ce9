import type { Sandbox } from "../sandbox.js";
import type { Artifact, WorkflowRun } from "../state/model.js";

/** GitHub keeps artifacts 90 days unless the upload asks for fewer (`retention-days`). */
const DEFAULT_RETENTION_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

/** An artifact of the run holding these files (path inside the zip → content). */
export function newArtifact(
  sb: Sandbox,
  run: WorkflowRun,
  name: string,
  files: Record<string, string | Buffer>,
  retentionDays = DEFAULT_RETENTION_DAYS,
): Artifact {
  const bytes = Object.fromEntries(Object.entries(files).map(([p, c]) => [p, Buffer.from(c)]));
  return {
    id: sb.store.nextId(),
    runId: run.id,
    name,
    files: bytes,
    sizeInBytes: Object.values(bytes).reduce((n, b) => n + b.length, 0),
    createdAt: sb.store.nowIso(),
    expiresAt: new Date(sb.store.now() + retentionDays * DAY_MS).toISOString().replace(/\.\d{3}Z$/, "Z"),
    expired: false,
  };
}

/** Uploads an artifact while the run goes on, as `actions/upload-artifact` does. */
export function attachArtifact(
  sb: Sandbox,
  run: WorkflowRun,
  name: string,
  files: Record<string, string | Buffer>,
  retentionDays?: number,
): Artifact {
  const artifact = newArtifact(sb, run, name, files, retentionDays);
  run.artifacts.push(artifact);
  return artifact;
}
