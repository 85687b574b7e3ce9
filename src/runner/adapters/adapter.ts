import type { ADAPTERS, AgentConfig } from "../../app/config/schema.js";

/**
 * The adapter contract: how one CLI coding agent is run and read. An adapter turns (prompt, workspace, limits,
 * model) into a command line and environment, and the agent's output back into progress, a summary, usage and
 * an outcome. Everything else — the process group, the timeout, the environment allowlist, the secrets,
 * redaction, the changeset — is the runner's, the same for every agent.
 */

export type AdapterName = (typeof ADAPTERS)[number];

/** A limit that can stop a run: the runner enforces `time` and `output` itself; `turns` and `budget` the CLI does. */
export type LimitName = "time" | "turns" | "budget" | "output";

/** What an agent reported spending; a field is absent when the CLI does not report it. */
export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
  /** Input tokens served from the provider's prompt cache (included in neither count above). */
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  /** As reported by the CLI; Flotilla never estimates prices. */
  costUsd?: number;
  /** Model calls (agent turns). */
  turns?: number;
}

/** How a run ended. `limit` says which limit stopped it. */
export type Outcome =
  | { kind: "success" }
  | { kind: "agent-error"; message: string }
  | { kind: "limit"; limit: LimitName; message: string }
  | { kind: "cancelled"; message: string };

/** A line of progress for people watching: what the agent said or did. */
export interface ProgressEvent {
  kind: "text" | "tool" | "error" | "info";
  text: string;
}

/** What the agent's own output says about the run, once it ended. */
export interface AgentReport {
  /** The agent's final message (its summary of what it did). */
  summary?: string;
  usage: Usage;
  /**
   * The agent's own word on how it ended, when it gave one (Claude Code's `result`, Codex's `turn.failed`):
   * an `agent-error` here fails a run that exited 0; a `limit` names the CLI's own limit (turns, budget).
   */
  outcome?: Exclude<Outcome, { kind: "cancelled" }>;
}

/**
 * Reads the agent's stdout as it arrives. Kept small by design: it folds lines into totals instead of
 * storing them, so a long run costs no memory.
 */
export interface OutputReader {
  /** One line of stdout, without its newline; returns what to show people, if anything (one line may say several things). */
  line(line: string): ProgressEvent | ProgressEvent[] | undefined;
  /** What it still holds back to show (text waiting for its line's end), once the output ended. */
  flush?(): ProgressEvent[];
  /** Everything the output said, after the process ended. */
  finish(): AgentReport;
}

/** What an adapter may use to build the command line. */
export interface InvocationContext {
  /** The prompt, written to a file in the session's private dir (outside the workspace, never committed). */
  promptFile: string;
  /** The same prompt as text, for CLIs that only take it as an argument. */
  prompt: string;
  /** The workspace (the agent's working directory). */
  workspace: string;
  /** The agent's HOME: a fresh private dir, where `files` are written. */
  home: string;
  agent: AgentConfig;
}

/** How to start the CLI. */
export interface Invocation {
  /** The program and its arguments: run directly, never through a shell. */
  argv: string[];
  /** Settings for the CLI itself (never secrets: those come from the agent's `secrets`). */
  env?: Record<string, string>;
  /** Files the CLI reads its settings from, relative to `home`, written before it starts. */
  files?: Record<string, string>;
  /** Feed the prompt file on stdin (for CLIs that read the prompt there); stdin is empty otherwise. */
  promptOnStdin?: boolean;
}

/** Where a runner gets the CLI: a pinned version, so every run of a task uses the CLI its flags were checked on. */
export type Install =
  | { from: "npm"; package: string; version: string; bin: string }
  | { from: "pip"; package: string; version: string; bin: string }
  | { from: "script"; url: string; version: string; bin: string };

/** One CLI coding agent. A new agent is one of these in a small file of its own, registered in index.ts. */
export interface AgentAdapter {
  name: AdapterName;
  /** Where runners install it from; absent for `command` (the repository brings its own program). */
  install?: Install;
  /** The secrets it reads when the config names none (its API key). */
  defaultSecrets: string[];
  /** Which of the agent's limits the CLI enforces itself; time and output are always enforced from outside. */
  enforces: { maxTurns: boolean; maxBudgetUsd: boolean };
  /**
   * Folders (ending in `/`) or files the CLI writes into the workspace for itself, with no option to put them
   * elsewhere (aider's repository-map cache): left out of the changeset, so they never reach a pull request.
   */
  scratchPaths?: string[];
  /**
   * What this CLI cannot run with in the agent's settings (a model name in the wrong form), found when the
   * config is read, so the person who labelled the issue is told which key to fix before anything runs.
   */
  problems?(agent: AgentConfig): { key: keyof AgentConfig; message: string }[];
  invocation(ctx: InvocationContext): Invocation;
  reader(): OutputReader;
}
