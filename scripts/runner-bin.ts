import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = new URL("../src/runner/cli.ts", import.meta.url).pathname;
const TSX = createRequire(import.meta.url).resolve("tsx");

/**
 * A folder with a `flotilla-runner` on it, for the sandbox's Actions runner to find on PATH as the agent
 * workflow's install step would have put it there: this checkout's runner (from source, through tsx), or a
 * stand-in shell script (`script`) for a runner that misbehaves.
 */
export function runnerBin(script?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "flotilla-runner-bin-"));
  mkdirSync(dir, { recursive: true });
  const body =
    script ??
    `exec ${JSON.stringify(process.execPath)} --import ${JSON.stringify(TSX)} ${JSON.stringify(CLI)} "$@"`;
  writeFileSync(join(dir, "flotilla-runner"), `#!/bin/sh\n${body}\n`);
  chmodSync(join(dir, "flotilla-runner"), 0o755);
  return dir;
}
