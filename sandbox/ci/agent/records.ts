import type { Repo } from "../../state/model.js";
import type { AgentFault } from "./faults.js";

/** What a test can learn about one attempt of an agent run (`agentWorkflowRuns`). */
export interface AgentRunRecord {
  runId: number;
  runAttempt: number;
  /** The fault this attempt met, if any. */
  fault: AgentFault | null;
  /** The commit checked out, once the checkout step ran. */
  sha: string | null;
  /** The job's GITHUB_TOKEN (revoked once the job ended). */
  token: string | null;
  /** The runner step's whole environment; null until it starts. Holds secrets' values: for tests only. */
  env: Record<string, string> | null;
  /** The runner step's process id while and after it ran. */
  pid: number | null;
  /** Its exit code; null while it runs, when it was killed, or when it never ran. */
  exitCode: number | null;
  /** The end of its output (stdout and stderr as they came, the last 20 KB), secrets masked as `***`. */
  output: string;
  /** How the job ended, as the run shows it; null while it goes on. */
  conclusion: string | null;
}

const records = new WeakMap<Repo, AgentRunRecord[]>();

export function newRecord(repo: Repo, runId: number, runAttempt: number, fault: AgentFault | null) {
  const record: AgentRunRecord = {
    runId,
    runAttempt,
    fault,
    sha: null,
    token: null,
    env: null,
    pid: null,
    exitCode: null,
    output: "",
    conclusion: null,
  };
  const list = records.get(repo) ?? [];
  list.push(record);
  records.set(repo, list);
  return record;
}

/** The repository's agent run attempts, oldest first (copies). */
export function recordsOf(repo: Repo): AgentRunRecord[] {
  return (records.get(repo) ?? []).map((r) => ({ ...r, env: r.env ? { ...r.env } : null }));
}
