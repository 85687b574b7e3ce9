import type { Loop } from "./loop.js";
import { waitFor } from "./loop.js";

// What the judge's end-to-end tests share: the scripted judge's verdicts, and Flotilla's checks on a commit.

/** A verdict as the scripted judge prints it: one line of JSON. */
export function verdict(decision: string, extra: Record<string, unknown> = {}): string {
  return `echo ${JSON.stringify({ decision, summary: `The judge says ${decision}.`, ...extra })}`;
}

/** The scripted judge approving a fixed add(), with its criterion met. */
export const APPROVE = verdict("approve", {
  criteria: [{ criterion: "add() adds", met: true, evidence: "src/add.js returns a + b" }],
});

/** The issue's text, with the acceptance criterion the judge checks. */
export const ISSUE_TEXT = "add() subtracts.\n\n## Acceptance criteria\n\n- add() adds\n";

/** Flotilla's check runs of a name on a commit, newest first, as GitHub lists them for the App. */
export async function flotillaChecks(loop: Loop, sha: string, name: string) {
  const gh = loop.world.installationOctokit();
  const { data } = await gh.rest.checks.listForRef({
    owner: "acme",
    repo: "widgets",
    ref: sha,
    check_name: name,
    app_id: loop.world.app.id,
  });
  return data.check_runs;
}

/** Waits until Flotilla's check `name` on `sha` completed; returns it. */
export async function completedCheck(loop: Loop, sha: string, name: string, timeoutMs = 30_000) {
  return waitFor(
    `${name} to complete on ${sha.slice(0, 7)}`,
    async () => (await flotillaChecks(loop, sha, name)).find((run) => run.status === "completed"),
    timeoutMs,
  );
}
