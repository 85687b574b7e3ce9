import type { Context } from "probot";
import { ConfigSchema, type RepoConfig } from "./schema.js";
import { CONFIG_FILE, type ConfigProblem, parseRepoConfig, validateRepoConfig } from "./validate-config.js";

export type LoadedConfig =
  | { ok: true; config: RepoConfig }
  /** `labelPrefix` is the file's own if it names one, so only labels meant for Flotilla get the explanation. */
  | { ok: false; problems: ConfigProblem[]; labelPrefix: string };

const DEFAULT_PREFIX = ConfigSchema.shape.labelPrefix.parse(undefined);

/**
 * The repository's `.github/flotilla.yml` from its default branch, through Probot's loader, so an
 * organisation's `.github` repository can provide defaults (`_extends`). Lists replace rather than concatenate
 * when merged: an agent's `command` must not grow the organisation's arguments. A missing file means the
 * defaults. On a problem, the file's text is read again to tell the line.
 */
export async function loadRepoConfig(context: Context<"issues">): Promise<LoadedConfig> {
  let raw: unknown;
  try {
    raw = await context.config(
      CONFIG_FILE.replace(/^\.github\//, ""),
      {},
      { arrayMerge: (_, source) => source },
    );
  } catch (error) {
    if (!/invalid YAML|YAML is not an object/.test((error as Error).message)) throw error;
    const text = await readConfigText(context);
    const parsed = text === undefined ? undefined : parseRepoConfig(text);
    const problems =
      parsed && !parsed.ok
        ? parsed.problems
        : [{ key: "", message: "not valid YAML (in a file it extends)" }];
    return { ok: false, problems, labelPrefix: DEFAULT_PREFIX };
  }
  const first = validateRepoConfig(raw);
  if (first.ok) return first;
  const text = await readConfigText(context);
  const located = validateRepoConfig(raw, text);
  const problems = located.ok ? first.problems : located.problems;
  const prefix = (raw as { labelPrefix?: unknown } | null)?.labelPrefix;
  return { ok: false, problems, labelPrefix: typeof prefix === "string" && prefix ? prefix : DEFAULT_PREFIX };
}

async function readConfigText(context: Context<"issues">): Promise<string | undefined> {
  try {
    const response = await context.octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
      ...context.repo({ path: CONFIG_FILE }),
      mediaType: { format: "raw" },
    });
    return typeof response.data === "string" ? response.data : undefined;
  } catch {
    // Without the text the problems still name their keys, just not their lines.
    return undefined;
  }
}
