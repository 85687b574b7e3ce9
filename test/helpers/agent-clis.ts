import { existsSync } from "node:fs";
import { join } from "node:path";
import { agentCliBinDir, agentCliDir } from "../../scripts/agent-clis.js";
import type { AdapterName } from "../../src/runner/adapters/adapter.js";
import { adapterFor } from "../../src/runner/adapters/index.js";

/**
 * The folder with the real, pinned CLI of `adapter`, as `npm test` installs it (scripts/install-agent-clis.ts).
 * Fails with what to run when it is missing, rather than skipping: a test of the real CLI that did not run
 * proves nothing.
 */
export function realCliBinDir(adapter: AdapterName): string {
  const install = adapterFor(adapter).install;
  if (install?.from !== "npm") throw new Error(`the ${adapter} adapter's CLI is not installed from npm`);
  const bin = agentCliBinDir(install);
  if (!existsSync(join(agentCliDir(install), ".flotilla-pin")) || !existsSync(join(bin, install.bin))) {
    throw new Error(
      `${install.package}@${install.version} is not installed: run \`npx tsx scripts/install-agent-clis.ts\` (npm test does)`,
    );
  }
  return bin;
}
