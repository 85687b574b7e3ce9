import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Outcome, Usage } from "./adapters/adapter.js";
import { type FileChange, readChangedFile } from "./changeset.js";
import { lastLines } from "./redact.js";
import type { SessionResult } from "./run-session.js";

/** Lines of the transcript kept in result.json. */
export const RESULT_LOG_LINES = 500;

/** A change in result.json: the FileChange, and where its new content is in the bundle. */
export type BundledChange = FileChange & { content?: string };

/**
 * `result.json`, the runner's answer: how the run ended, what the agent said and spent, and the changeset
 * whose contents are in `files/<n>` beside it. Everything in it is redacted; the App validates it again
 * (schema, sizes, path policy) before it publishes anything.
 */
export interface ResultBundle {
  version: 1;
  agent: string;
  outcome: Outcome;
  summary?: string;
  usage: Usage;
  timings: SessionResult["timings"];
  exit: { code: number | null; signal: string | null };
  /** The end of the transcript, redacted. */
  log: string;
  changeset: { baseSha: string; files: BundledChange[] };
}

/** Writes `dir/result.json` and each change's new content as `dir/files/<n>` (never named by its path). */
export async function writeResultBundle(
  dir: string,
  agent: string,
  result: SessionResult & { workspace: string },
): Promise<ResultBundle> {
  await mkdir(join(dir, "files"), { recursive: true });
  const files: BundledChange[] = [];
  for (const [n, change] of result.changeset.files.entries()) {
    if (change.status === "deleted") {
      files.push({ ...change });
      continue;
    }
    const content = `files/${n}`;
    await writeFile(join(dir, content), await readChangedFile(result.workspace, change));
    files.push({ ...change, content });
  }
  const bundle: ResultBundle = {
    version: 1,
    agent,
    outcome: result.outcome,
    ...(result.summary !== undefined ? { summary: result.summary } : {}),
    usage: result.usage,
    timings: result.timings,
    exit: { code: result.process.exitCode, signal: result.process.signal },
    log: lastLines(result.log, RESULT_LOG_LINES),
    changeset: { baseSha: result.changeset.baseSha, files },
  };
  await writeFile(join(dir, "result.json"), `${JSON.stringify(bundle, null, 2)}\n`);
  return bundle;
}
