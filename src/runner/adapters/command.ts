import type { AgentAdapter, Usage } from "./adapter.js";
import { addUsage, jsonLine, numberAt, plainTextReader } from "./read-output.js";

const PLACEHOLDER = /\{(prompt_file|workspace|model)\}/g;

/**
 * `adapter: command`: any program, with `{prompt_file}`, `{workspace}` and `{model}` (empty when unset)
 * filled in anywhere inside each argument. The result is an argument array, never a shell line, so a value
 * with spaces or quotes stays one argument; filled-in values are not scanned again, so a path that contains
 * `{model}` stays as it is. Its output is read as plain text: the last lines are the summary. A program that
 * knows what it spent says so in a line `flotilla-usage {"costUsd": 0.12, "turns": 3, …}` (the fields of
 * `Usage`; several such lines add up), which counts towards the repository's budget like any adapter's report.
 */
export const command: AgentAdapter = {
  name: "command",
  defaultSecrets: [],
  enforces: { maxTurns: false, maxBudgetUsd: false },
  invocation({ agent, promptFile, workspace }) {
    if (!agent.command || agent.command.length === 0) {
      throw new Error("an agent with `adapter: command` needs `command`, the program and its arguments");
    }
    const values: Record<string, string> = {
      prompt_file: promptFile,
      workspace,
      model: agent.model ?? "",
    };
    return {
      argv: agent.command.map((arg) => arg.replace(PLACEHOLDER, (_, key: string) => values[key] ?? "")),
    };
  },
  reader: () => plainTextReader(usageLine),
};

const USAGE_PREFIX = "flotilla-usage ";
const USAGE_FIELDS = [
  "inputTokens",
  "outputTokens",
  "cacheReadTokens",
  "cacheWriteTokens",
  "costUsd",
  "turns",
] as const satisfies readonly (keyof Usage)[];

/** A `flotilla-usage {…}` line's numbers added to what was reported before; any other line changes nothing. */
function usageLine(line: string, usage: Usage): Usage {
  if (!line.startsWith(USAGE_PREFIX)) return usage;
  const report = jsonLine(line.slice(USAGE_PREFIX.length));
  if (!report) return usage;
  const more: Usage = {};
  for (const field of USAGE_FIELDS) {
    const value = numberAt(report, field);
    if (value !== undefined && value >= 0) more[field] = value;
  }
  return addUsage(usage, more);
}
