import type { AgentAdapter } from "./adapter.js";
import { plainTextReader } from "./read-output.js";

const PLACEHOLDER = /\{(prompt_file|workspace|model)\}/g;

/**
 * `adapter: command`: any program, with `{prompt_file}`, `{workspace}` and `{model}` (empty when unset)
 * filled in anywhere inside each argument. The result is an argument array, never a shell line, so a value
 * with spaces or quotes stays one argument; filled-in values are not scanned again, so a path that contains
 * `{model}` stays as it is. Its output is read as plain text: the last lines are the summary.
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
  reader: () => plainTextReader(),
};
