import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { readChangedFile } from "./changeset.js";
import { lastLines } from "./redact.js";
import type { SessionResult } from "./run-session.js";

/**
 * `result.json`, the runner's answer, and its one schema: the runner writes it, the App reads it back from
 * the workflow's artifact and checks it before it publishes anything (then the sizes and the path policy,
 * as for the local backend). Everything in it is redacted.
 */

/** Lines of the transcript kept in result.json. */
export const RESULT_LOG_LINES = 500;
/** Most files one bundle may list; the config's own `limits.maxFilesChanged` is checked after. */
export const MAX_BUNDLED_FILES = 10_000;

/** A path in the repository, as git stores it: relative, no `.`/`..`/empty segments, no `.git` anywhere. */
const RepoPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((path) => {
    const segments = path.split("/");
    return (
      !path.includes("\0") &&
      !path.includes("\\") &&
      segments.every((s) => s !== "" && s !== "." && s !== ".." && s.toLowerCase() !== ".git")
    );
  }, "a relative path inside the repository");

const BundledChangeSchema = z
  .object({
    path: RepoPath,
    status: z.enum(["added", "modified", "deleted", "renamed"]),
    previousPath: RepoPath.optional(),
    mode: z.enum(["100644", "100755", "120000"]).nullable(),
    binary: z.boolean(),
    bytes: z.int().min(0),
    /** Where the new content is in the bundle: `files/<n>`, never named by its path. */
    content: z
      .string()
      .regex(/^files\/\d+$/)
      .optional(),
  })
  .strict()
  .refine((change) => (change.status === "deleted") === (change.content === undefined), {
    message: "a deleted file has no content and every other change has one",
    path: ["content"],
  })
  .refine((change) => (change.status === "deleted") === (change.mode === null), {
    message: "a deleted file has no mode and every other change has one",
    path: ["mode"],
  })
  .refine((change) => (change.status === "renamed") === (change.previousPath !== undefined), {
    message: "a renamed file, and only a renamed one, names its previous path",
    path: ["previousPath"],
  });

const Count = z.number().min(0).optional();

const OutcomeSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("success") }).strict(),
  z.object({ kind: z.literal("agent-error"), message: z.string() }).strict(),
  z
    .object({
      kind: z.literal("limit"),
      limit: z.enum(["time", "turns", "budget", "output"]),
      message: z.string(),
    })
    .strict(),
  z.object({ kind: z.literal("cancelled"), message: z.string() }).strict(),
]);

const RunBundleSchema = z
  .object({
    version: z.literal(1),
    agent: z.string(),
    outcome: OutcomeSchema,
    summary: z.string().optional(),
    usage: z
      .object({
        inputTokens: Count,
        outputTokens: Count,
        cacheReadTokens: Count,
        cacheWriteTokens: Count,
        costUsd: Count,
        turns: Count,
      })
      .strict(),
    timings: z
      .object({
        startedAt: z.string(),
        finishedAt: z.string(),
        durationMs: z.number().min(0),
        agentMs: z.number().min(0),
      })
      .strict(),
    exit: z.object({ code: z.int().nullable(), signal: z.string().nullable() }).strict(),
    /** The end of the transcript, redacted. */
    log: z.string(),
    changeset: z
      .object({
        baseSha: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, "a full commit sha"),
        files: z
          .array(BundledChangeSchema)
          .max(MAX_BUNDLED_FILES)
          .refine((files) => {
            const paths = files.flatMap((f) => (f.previousPath ? [f.path, f.previousPath] : [f.path]));
            return new Set(paths).size === paths.length;
          }, "each path is changed once"),
      })
      .strict(),
  })
  .strict();

/** The runner did not start the agent (a bad input, a config it cannot use, an issue edited since): why. */
const RefusedBundleSchema = z
  .object({
    version: z.literal(1),
    agent: z.string(),
    refused: z.object({ message: z.string().max(4_000) }).strict(),
  })
  .strict();

export const ResultBundleSchema = z.union([RunBundleSchema, RefusedBundleSchema]);

export type BundledChange = z.output<typeof BundledChangeSchema>;
export type RunBundle = z.output<typeof RunBundleSchema>;
export type RefusedBundle = z.output<typeof RefusedBundleSchema>;
export type ResultBundle = z.output<typeof ResultBundleSchema>;

/** Writes `dir/result.json` and each change's new content as `dir/files/<n>` (never named by its path). */
export async function writeResultBundle(
  dir: string,
  agent: string,
  result: SessionResult & { workspace: string },
): Promise<RunBundle> {
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
  const bundle: RunBundle = {
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

/** Writes a result.json that says why the agent was not started. */
export async function writeRefusedBundle(
  dir: string,
  agent: string,
  message: string,
): Promise<RefusedBundle> {
  await mkdir(dir, { recursive: true });
  const bundle: RefusedBundle = { version: 1, agent, refused: { message: message.slice(0, 4_000) } };
  await writeFile(join(dir, "result.json"), `${JSON.stringify(bundle, null, 2)}\n`);
  return bundle;
}
