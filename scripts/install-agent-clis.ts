/**
 * Installs the pinned agent CLIs that the adapters name (`install.from: "npm"`) into a cache, one folder per
 * package and version, for the tests that run the real CLIs. Already installed versions are left alone, so a
 * second run costs nothing; a new pin installs next to the old one.
 *
 *   tsx scripts/install-agent-clis.ts          install what is missing, print where each CLI is
 *   tsx scripts/install-agent-clis.ts --check  exit 1 when one is missing, install nothing
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { ADAPTER_REGISTRY } from "../src/runner/adapters/index.js";
import { agentCliDir, agentCliRoot, type NpmInstall, npmInstalls } from "./agent-clis.js";

function install(pin: NpmInstall): void {
  const dir = agentCliDir(pin);
  const staging = `${dir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // Its own prefix, so one CLI's dependencies never shadow another's; the lock file is npm's business.
  execFileSync(
    "npm",
    [
      "install",
      "--prefix",
      staging,
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      `${pin.package}@${pin.version}`,
    ],
    { stdio: ["ignore", "inherit", "inherit"], timeout: 10 * 60_000 },
  );
  writeFileSync(`${staging}/.flotilla-pin`, `${pin.package}@${pin.version}\n`);
  // Only a complete install gets the final name: an interrupted one is started over, not half used.
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
}

const check = process.argv.includes("--check");
let missing = 0;
for (const pin of npmInstalls(ADAPTER_REGISTRY)) {
  const dir = agentCliDir(pin);
  if (existsSync(`${dir}/.flotilla-pin`)) continue;
  if (check) {
    console.error(
      `missing: ${pin.package}@${pin.version} (for the ${pin.adapter} adapter) in ${agentCliRoot()}`,
    );
    missing++;
    continue;
  }
  console.log(`› installing ${pin.package}@${pin.version} (the ${pin.adapter} adapter's CLI) into ${dir}`);
  install(pin);
}
if (missing > 0) process.exit(1);
