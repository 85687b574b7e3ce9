import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { adapterFor } from "./adapters/index.js";
import { readRepoConfig } from "./github/read-repo-config.js";
import { RunnerRefusal } from "./github/runner-refusal.js";

const run = promisify(execFile);

/** The command that installs an agent's pinned CLI, or null when the repository brings its own (`command`). */
export async function installCommand(workspace: string, agentName: string): Promise<string[] | null> {
  const config = await readRepoConfig(workspace);
  const agent = Object.hasOwn(config.agents, agentName) ? config.agents[agentName] : undefined;
  if (!agent) throw new RunnerRefusal(`.github/flotilla.yml has no agent called \`${agentName}\`.`);
  const install = adapterFor(agent.adapter).install;
  if (!install) return null;
  switch (install.from) {
    case "npm":
      return [
        "npm",
        "install",
        "--global",
        "--no-audit",
        "--no-fund",
        `${install.package}@${install.version}`,
      ];
    case "pip":
      return ["python3", "-m", "pip", "install", "--user", `${install.package}==${install.version}`];
    case "script":
      // The vendor's installer script, pinned by version; fetched with curl and run by bash, no shell string.
      return [
        "bash",
        "-c",
        'curl -fsSL "$1" | CONFIGURE=false GOOSE_VERSION="$2" bash',
        "_",
        install.url,
        install.version,
      ];
  }
}

/** `flotilla-runner install --agent NAME`: installs the agent's pinned CLI on the runner. */
export async function installAgent(
  workspace: string,
  agentName: string,
  log: { write(text: string): unknown },
): Promise<number> {
  let command: string[] | null;
  try {
    command = await installCommand(workspace, agentName);
  } catch (error) {
    log.write(`flotilla-runner: ${(error as Error).message}\n`);
    return error instanceof RunnerRefusal ? 2 : 1;
  }
  if (!command) {
    log.write(`flotilla-runner: agent ${agentName} runs the repository's own command; nothing to install\n`);
    return 0;
  }
  const [file = "", ...args] = command;
  log.write(`flotilla-runner: installing with ${command.join(" ")}\n`);
  try {
    const { stdout, stderr } = await run(file, args, { cwd: workspace, timeout: 10 * 60_000 });
    log.write(stdout + stderr);
    return 0;
  } catch (error) {
    log.write(`flotilla-runner: the install failed: ${(error as Error).message}\n`);
    return 1;
  }
}
