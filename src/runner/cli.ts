#!/usr/bin/env node
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { runCli } from "./run-cli.js";

/** `flotilla-runner --task task.json --out DIR`: runs one agent task and writes DIR/result.json. */
const USAGE = `usage: flotilla-runner --task task.json --out DIR
  Runs the agent a task spec names in the current directory (or the spec's workspace) and writes
  DIR/result.json (outcome, summary, usage, timings, redacted log) and the changeset's files to DIR/files/.
  Exit codes: 0 a result was written (whatever the agent did), 1 the run could not happen, 2 bad usage or spec.`;

let args: { task?: string; out?: string };
try {
  ({ values: args } = parseArgs({
    options: { task: { type: "string" }, out: { type: "string" } },
    strict: true,
  }));
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (!args.task || !args.out) {
  console.error(USAGE);
  process.exit(2);
}
const taskText = await readFile(args.task, "utf8").catch((error: NodeJS.ErrnoException) => {
  console.error(`flotilla-runner: cannot read the task spec ${args.task}: ${error.code ?? error.message}`);
  process.exit(2);
});
process.exitCode = await runCli(taskText, args.out, process.env, process.stderr);
