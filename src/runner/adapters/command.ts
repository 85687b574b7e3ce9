import type { AgentConfig } from "../../app/config/schema.js";

/** What an adapter may put into an agent's command line. */
export interface InvocationContext {
  /** The prompt, written to a file outside the workspace. */
  promptFile: string;
  /** The workspace (the agent's working directory). */
  workspace: string;
}

const PLACEHOLDER = /\{(prompt_file|workspace|model)\}/g;

/**
 * `adapter: command`: the configured program and arguments with `{prompt_file}`, `{workspace}` and `{model}`
 * (empty when unset) filled in, anywhere inside each argument. The result is an argument array for execa,
 * never a shell line, so a value with spaces or quotes stays one argument; filled-in values are not scanned
 * again, so a path that contains `{model}` stays as it is.
 */
export function commandInvocation(name: string, agent: AgentConfig, ctx: InvocationContext): string[] {
  if (!agent.command || agent.command.length === 0) {
    throw new Error(`agent "${name}" uses \`adapter: command\` but has no \`command\``);
  }
  const values: Record<string, string> = {
    prompt_file: ctx.promptFile,
    workspace: ctx.workspace,
    model: agent.model ?? "",
  };
  return agent.command.map((arg) => arg.replace(PLACEHOLDER, (_, key: string) => values[key] ?? ""));
}
