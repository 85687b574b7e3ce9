import { readFileSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { startWorld, type World } from "../helpers/sandbox.js";

/** The workflow users install, read from the project as it is now: the contract the sandbox runs. */
export const TEMPLATE = readFileSync(
  new URL("../../.github/workflows/flotilla-agent.yml", import.meta.url),
  "utf8",
);

/**
 * A stand-in for `flotilla-runner` on the PATH: prints its arguments and the API key, then does what
 * FAKE_MODE says. `ok` reads the issue and tries to comment with the job's token, and writes what it saw
 * (HTTP statuses, the checked-out commit, the README's first line) to result.json in the --out folder.
 */
const FAKE_RUNNER = `#!/usr/bin/env bash
set -euo pipefail
echo "flotilla-runner $*"
if [ "\${1:-}" != github ] || [ "\${2:-}" != --out ]; then echo "unexpected arguments" >&2; exit 64; fi
out="$3"
echo "the key is \${ANTHROPIC_API_KEY}"
status() {
  node -e 'fetch(process.argv[1], { method: process.argv[2], body: process.argv[3], headers: { authorization: "token " + process.env.GITHUB_TOKEN, "content-type": "application/json" } }).then((r) => console.log(r.status))' "$@"
}
case "\${FAKE_MODE:-ok}" in
  fail) echo "the agent gave up" >&2; exit 3 ;;
  no-result) exit 0 ;;
  sleep) sleep 600 & echo "$!" > "$FAKE_STATE/sleep.pid"; wait ;;
esac
mkdir -p "$out"
issue="$GITHUB_API_URL/repos/$GITHUB_REPOSITORY/issues/$FLOTILLA_ISSUE"
printf '{"read":%s,"write":%s,"head":"%s","branch":"%s","readme":"%s"}\\n' \\
  "$(status "$issue" GET)" "$(status "$issue/comments" POST '{"body":"from the job"}')" \\
  "$(git rev-parse HEAD)" "$(git rev-parse --abbrev-ref HEAD)" "$(head -1 README.md)" > "$out/result.json"
`;

export interface AgentWorld {
  world: World;
  octokit: ReturnType<World["installationOctokit"]>;
  /** Where the fake runner leaves what outlives the job (the pid of its `sleep`). */
  state: string;
  /** Turns the sandbox's agent runner on, the fake runner behaving as `mode` says. */
  runAgents(mode: "ok" | "fail" | "no-result" | "sleep", extra?: { timeoutMs?: number }): void;
  /** Dispatches the agent workflow as the App does; answers the run id. */
  dispatch(inputs?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

export const repo = { owner: "acme", repo: "widgets" };

export async function startAgentWorld(): Promise<AgentWorld> {
  const world = await startWorld({
    files: { "README.md": "# widgets\n", ".github/workflows/flotilla-agent.yml": TEMPLATE },
  });
  await world.sandbox.script.openIssue({ repo: "acme/widgets", title: "Add a widget", user: "alice" });
  const bin = await mkdtemp(join(tmpdir(), "agent-bin-"));
  const state = await mkdtemp(join(tmpdir(), "agent-state-"));
  await writeFile(join(bin, "flotilla-runner"), FAKE_RUNNER);
  await chmod(join(bin, "flotilla-runner"), 0o755);
  const octokit = world.installationOctokit();
  return {
    world,
    octokit,
    state,
    runAgents(mode, extra = {}) {
      world.sandbox.script.runAgentWorkflows({
        // node for the fake runner's requests, wherever this test's node lives.
        path: [bin, dirname(process.execPath)],
        env: { FAKE_MODE: mode, FAKE_STATE: state },
        ...extra,
      });
    },
    async dispatch(inputs = {}) {
      const response = await octokit.request(
        "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
        {
          ...repo,
          workflow_id: "flotilla-agent.yml",
          ref: "main",
          inputs: {
            task: "acme/widgets#1/claude",
            attempt: "1",
            dispatch: "1",
            role: "code",
            issue: "1",
            agent: "claude",
            base: "main",
            triggered_at: "2026-11-01T10:00:00Z",
            digest: "0f0f",
            minutes: "5",
            ...inputs,
          },
          return_run_details: true,
        },
      );
      return (response.data as { workflow_run_id: number }).workflow_run_id;
    },
    async stop() {
      await world.stop();
      await rm(bin, { recursive: true, force: true });
      await rm(state, { recursive: true, force: true });
    },
  };
}

/** The attempt's record from agentWorkflowRuns. */
export function recordOf(agent: AgentWorld, runId: number) {
  const record = agent.world.sandbox.script
    .agentWorkflowRuns({ repo: "acme/widgets" })
    .filter((r) => r.runId === runId)
    .at(-1);
  if (!record) throw new Error(`no agent record for run ${runId}`);
  return record;
}

/** Waits until `check` holds (polling); fails naming what never happened. */
export async function waitFor(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 800; i += 1) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** The job's steps as the REST API shows them: [name, status, conclusion]. */
export async function stepsOf(agent: AgentWorld, runId: number) {
  const { data } = await agent.octokit.rest.actions.listJobsForWorkflowRun({ ...repo, run_id: runId });
  return {
    jobs: data.jobs,
    steps: (data.jobs[0]?.steps ?? []).map((s) => [s.name, s.status, s.conclusion]),
  };
}
