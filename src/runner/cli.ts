#!/usr/bin/env node
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { installAgent } from "./install-agent.js";
import { runGitHubJob, runTaskFile } from "./run-cli.js";

const USAGE = `usage:
  flotilla-runner --task task.json --out DIR
      Runs the agent a task spec names in the current directory (or the spec's workspace) and writes
      DIR/result.json (outcome, summary, usage, timings, redacted log) and the changeset's files to DIR/files/.
  flotilla-runner github --out DIR
      The same inside Flotilla's agent workflow: the task comes from the job's inputs (FLOTILLA_*), the
      repository's .github/flotilla.yml and the issue, read with the job's GITHUB_TOKEN.
  flotilla-runner install --agent NAME
      Installs the pinned CLI of the agent NAME from .github/flotilla.yml (npm, pip or the vendor's script).
  Exit codes: 0 a result was written (whatever the agent did), 1 the run could not happen, 2 bad usage or spec.`;

function usage(problem?: string): never {
  console.error(problem ? `${problem}\n${USAGE}` : USAGE);
  process.exit(2);
}

const [first] = process.argv.slice(2);
const command = first === "github" || first === "install" ? first : "run";
let args: { task?: string; out?: string; agent?: string };
try {
  ({ values: args } = parseArgs({
    args: process.argv.slice(command === "run" ? 2 : 3),
    options: { task: { type: "string" }, out: { type: "string" }, agent: { type: "string" } },
    strict: true,
  }));
} catch (error) {
  usage((error as Error).message);
}

if (command === "install") {
  if (!args.agent) usage();
  process.exitCode = await installAgent(process.cwd(), args.agent, process.stderr);
} else if (command === "github") {
  if (!args.out) usage();
  process.exitCode = await runGitHubJob(process.cwd(), args.out, process.env, process.stderr);
} else {
  if (!args.task || !args.out) usage();
  const taskText = await readFile(args.task, "utf8").catch((error: NodeJS.ErrnoException) => {
    console.error(`flotilla-runner: cannot read the task spec ${args.task}: ${error.code ?? error.message}`);
    process.exit(2);
  });
  process.exitCode = await runTaskFile(taskText, args.out, process.env, process.stderr);
}
