import type { AgentConfig } from "../app/config/schema.js";
import type { AgentReport, Outcome } from "./adapters/adapter.js";
import type { AgentProcessResult } from "./agent-process.js";

function minutes(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m >= 1 ? `${m}-minute` : `${Math.round(ms / 1000)}-second`;
}

function bytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / (1024 * 1024))} MiB` : `${Math.round(n / 1024)} KiB`;
}

/**
 * How a run ended, from what the runner saw (signals, limits it enforced) and what the agent said. What the
 * runner enforced from outside comes first: a killed process cannot be trusted to have reported. Then a
 * limit the CLI reports, then the exit code, then the agent's own word: Claude Code can exit 0 with a
 * `result` that says `is_error: true`, and that is a failure.
 */
export function decideOutcome(run: AgentProcessResult, report: AgentReport, agent: AgentConfig): Outcome {
  if (run.cancelled) return { kind: "cancelled", message: "The run was cancelled." };
  if (run.startError) {
    return {
      kind: "agent-error",
      message: `The agent ${run.startError}; is its CLI installed on this worker (see docs/agents.md)?`,
    };
  }
  if (run.timedOut) {
    return {
      kind: "limit",
      limit: "time",
      message: `The agent was stopped after its ${minutes(agent.timeout)} timeout.`,
    };
  }
  if (run.outputExceeded) {
    return {
      kind: "limit",
      limit: "output",
      message: `The agent was stopped after printing more than its ${bytes(agent.maxOutput)} output limit.`,
    };
  }
  if (report.outcome?.kind === "limit") return report.outcome;
  if (run.exitCode !== 0) {
    const how =
      run.exitCode === null
        ? `was killed (${run.signal ?? "no exit code"})`
        : `exited with code ${run.exitCode}`;
    const said = report.outcome?.kind === "agent-error" ? `: ${report.outcome.message}` : ".";
    return { kind: "agent-error", message: `The agent ${how}${said}` };
  }
  if (report.outcome?.kind === "agent-error") {
    return { kind: "agent-error", message: `The agent reported an error: ${report.outcome.message}` };
  }
  return { kind: "success" };
}
