import type { AdapterName, AgentAdapter } from "./adapter.js";
import { aider } from "./aider.js";
import { claude } from "./claude.js";
import { codex } from "./codex.js";
import { command } from "./command.js";
import { gemini } from "./gemini.js";
import { goose } from "./goose.js";
import { opencode } from "./opencode.js";

export type { AgentAdapter, AgentReport, Invocation, InvocationContext, Outcome, Usage } from "./adapter.js";

/** Every adapter, by the name a repository config uses (`adapter: claude`). */
export const ADAPTER_REGISTRY: Record<AdapterName, AgentAdapter> = {
  claude,
  codex,
  gemini,
  opencode,
  aider,
  goose,
  command,
};

export function adapterFor(name: AdapterName): AgentAdapter {
  return ADAPTER_REGISTRY[name];
}
