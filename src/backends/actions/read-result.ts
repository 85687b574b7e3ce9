import { unzipSync } from "fflate";
import type { Task } from "../../fleet/task.js";
import type { GitHub } from "../../github/octokit.js";
import { withRetries } from "../../github/with-retries.js";
import { httpStatus } from "../../publish/request-error.js";
import type { FileChange } from "../../runner/changeset.js";
import { type ResultBundle, ResultBundleSchema, type RunBundle } from "../../runner/result-bundle.js";
import type { RunRole } from "../backend.js";

/** The artifact the agent workflow uploads (the template's upload step). */
export const RESULT_ARTIFACT = "flotilla-result";
/** Room for result.json and the log on top of the changed files' own limit. */
const OVERHEAD_BYTES = 8 * 1024 * 1024;

/** What a finished run left, checked: the runner's answer and the new contents it refers to. */
export type RunResult =
  | { kind: "run"; bundle: RunBundle; read(change: FileChange): Buffer }
  | { kind: "refused"; message: string }
  /** No artifact, or one that is not a result Flotilla can publish: why, for the status comment. */
  | { kind: "invalid"; message: string };

/**
 * Downloads the run's result artifact and checks it before anything is published: its size, that it is a
 * zip holding a `result.json` matching the runner's schema, that every change's content is there with the
 * size it claims, and that the changes start from a commit on the default branch (an iteration's: from the
 * head it was asked on). The path policy and the config's limits are checked after, by the same code as for
 * the local backend. A judge's changes are not read: they are discarded.
 */
export async function readRunResult(
  gh: GitHub,
  task: Task,
  runId: number,
  role: RunRole = "code",
): Promise<RunResult> {
  const where = { owner: task.repo.owner, repo: task.repo.name };
  // 1. The artifact, by name, within the size a valid result can have.
  const { data } = await withRetries(() =>
    gh.rest.actions.listWorkflowRunArtifacts({ ...where, run_id: runId, name: RESULT_ARTIFACT }),
  );
  const artifact = data.artifacts.find((a) => a.name === RESULT_ARTIFACT && !a.expired);
  if (!artifact) return invalid(`the run left no \`${RESULT_ARTIFACT}\` artifact`);
  const maxBytes = task.settings.limits.maxBytesChanged + OVERHEAD_BYTES;
  if (artifact.size_in_bytes > maxBytes)
    return invalid(`its result artifact is ${artifact.size_in_bytes} bytes, more than ${maxBytes}`);

  // 2. Its files, refusing a zip that claims to unpack to more than that.
  const download = await withRetries(() =>
    gh.rest.actions.downloadArtifact({ ...where, artifact_id: artifact.id, archive_format: "zip" }),
  );
  let files: Record<string, Uint8Array>;
  try {
    let claimed = 0;
    files = unzipSync(new Uint8Array(download.data as ArrayBuffer), {
      filter: (file) => {
        claimed += file.originalSize;
        if (claimed > maxBytes) throw new Error(`it unpacks to more than ${maxBytes} bytes`);
        return true;
      },
    });
  } catch (error) {
    return invalid(`its result artifact is not a readable zip: ${(error as Error).message}`);
  }

  // 3. result.json, by the runner's own schema.
  const text = files["result.json"];
  if (!text) return invalid("its result artifact has no result.json");
  let bundle: ResultBundle;
  try {
    const parsed = ResultBundleSchema.safeParse(JSON.parse(Buffer.from(text).toString("utf8")));
    if (!parsed.success) {
      const problems = parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join(".") || "(the file)"}: ${i.message}`);
      return invalid(
        `its result.json does not match this Flotilla's runner format (${problems.join("; ")}); the workflow's FLOTILLA_RUNNER_PACKAGE must be the App's version`,
      );
    }
    bundle = parsed.data;
  } catch (error) {
    return invalid(`its result.json is not JSON: ${(error as Error).message}`);
  }
  // A refusal may come before the runner knew the agent (its inputs were broken): shown whatever it names.
  if ("refused" in bundle) return { kind: "refused", message: bundle.refused.message };
  const agent = role === "judge" ? task.settings.judge?.name : task.agent;
  if (bundle.agent !== agent)
    return invalid(`its result is for the agent \`${bundle.agent}\`, not \`${agent}\``);
  if (role === "judge") {
    const none = { ...bundle, changeset: { ...bundle.changeset, files: [] } };
    return { kind: "run", bundle: none, read: () => Buffer.alloc(0) };
  }

  // 4. Every change's content, as big as it says.
  const contents = new Map<string, Buffer>();
  for (const change of bundle.changeset.files) {
    if (!change.content) continue;
    const bytes = files[change.content];
    if (!bytes) return invalid(`its result lists ${change.path} but the artifact lacks ${change.content}`);
    if (bytes.length !== change.bytes)
      return invalid(
        `its result says ${change.path} has ${change.bytes} bytes, the artifact holds ${bytes.length}`,
      );
    contents.set(change.path, Buffer.from(bytes));
  }

  // 5. The changes start from the default branch's history (an iteration's from the head it was asked on),
  //    not from a commit of anyone's choosing.
  const base = bundle.changeset.baseSha;
  const iteratedOn = task.iteration?.headSha;
  if (iteratedOn && base !== iteratedOn)
    return invalid(`its changes start from ${base}, not from the pull request's head ${iteratedOn}`);
  if (!iteratedOn && bundle.changeset.files.length > 0 && !(await onDefaultBranch(gh, task, base)))
    return invalid(`its changes start from ${base}, which is not on ${task.repo.defaultBranch}`);
  return {
    kind: "run",
    bundle,
    read(change) {
      const bytes = contents.get(change.path);
      if (!bytes) throw new Error(`the result has no content for ${change.path}`);
      return bytes;
    },
  };
}

async function onDefaultBranch(gh: GitHub, task: Task, sha: string): Promise<boolean> {
  try {
    const { data } = await withRetries(() =>
      gh.rest.repos.compareCommitsWithBasehead({
        owner: task.repo.owner,
        repo: task.repo.name,
        basehead: `${sha}...${task.repo.defaultBranch}`,
        per_page: 1,
      }),
    );
    return data.status === "ahead" || data.status === "identical";
  } catch (error) {
    if (httpStatus(error) === 404) return false;
    throw error;
  }
}

function invalid(reason: string): RunResult {
  return {
    kind: "invalid",
    message: `The Actions run's result could not be used: ${reason}. Nothing was pushed.`,
  };
}
