import type { Lane } from "../../fleet/scheduler.js";
import type { RepoConfig } from "./schema.js";

/** Where an issue's tasks wait, from its labels and the config's `priority` labels; high wins over low. */
export function laneOf(labels: { name: string }[], priority: RepoConfig["priority"]): Lane {
  const names = new Set(labels.map((label) => label.name));
  if (priority.high.some((name) => names.has(name))) return "high";
  if (priority.low.some((name) => names.has(name))) return "low";
  return "normal";
}
