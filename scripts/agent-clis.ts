import { homedir } from "node:os";
import { join } from "node:path";
import type { AdapterName, AgentAdapter } from "../src/runner/adapters/adapter.js";

/** A CLI that installs from npm, and the adapter that runs it. */
export interface NpmInstall {
  adapter: AdapterName;
  package: string;
  version: string;
  bin: string;
}

/** Where the pinned CLIs are kept between runs: `FLOTILLA_AGENT_CLIS`, or the user's cache. */
export function agentCliRoot(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.FLOTILLA_AGENT_CLIS ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "flotilla", "agent-clis")
  );
}

/** The folder one pinned CLI is installed in (`npm install --prefix`). */
export function agentCliDir(pin: Pick<NpmInstall, "package" | "version">, root = agentCliRoot()): string {
  return join(root, `${pin.package.replace("/", "+")}@${pin.version}`);
}

/** The folder holding the CLI's program, for PATH. */
export function agentCliBinDir(pin: Pick<NpmInstall, "package" | "version">, root = agentCliRoot()): string {
  return join(agentCliDir(pin, root), "node_modules", ".bin");
}

export function npmInstalls(registry: Record<AdapterName, AgentAdapter>): NpmInstall[] {
  return Object.values(registry).flatMap((adapter) =>
    adapter.install?.from === "npm"
      ? [
          {
            adapter: adapter.name,
            package: adapter.install.package,
            version: adapter.install.version,
            bin: adapter.install.bin,
          },
        ]
      : [],
  );
}
