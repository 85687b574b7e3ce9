import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { RepoConfig } from "../../app/config/schema.js";
import { CONFIG_FILE, parseRepoConfig } from "../../app/config/validate-config.js";
import { RunnerRefusal } from "./runner-refusal.js";

/**
 * The repository's config from the checkout (the default branch, where the App read it too), through the
 * App's own schema. `_extends` cannot be followed here: the job's token reads this repository only.
 */
export async function readRepoConfig(workspace: string): Promise<RepoConfig> {
  let text: string;
  try {
    text = await readFile(join(workspace, CONFIG_FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    text = "";
  }
  if (/^_extends\s*:/m.test(text)) {
    throw new RunnerRefusal(
      `${CONFIG_FILE} uses \`_extends\`, which the actions backend cannot follow (the job's token reads only this repository): copy the settings it needs into the file.`,
    );
  }
  const parsed = parseRepoConfig(text);
  if (parsed.ok) return parsed.config;
  const problems = parsed.problems.map(
    (p) => `  ${p.key || "(the file)"}${p.line ? ` (line ${p.line})` : ""}: ${p.message}`,
  );
  throw new RunnerRefusal(`${CONFIG_FILE} is invalid:\n${problems.join("\n")}`);
}
