import { spawn } from "node:child_process";
import { createRequire } from "node:module";

const CLI = new URL("../../src/runner/cli.ts", import.meta.url).pathname;
const TSX = createRequire(import.meta.url).resolve("tsx");

/**
 * Runs the `flotilla-runner` command (from source, through tsx) as a CI job would: in `cwd`, with only the
 * environment given. Asynchronous, so a model endpoint served by the test process keeps answering meanwhile.
 */
export function flotillaRunner(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX, CLI, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...options.env },
      stdio: ["ignore", "ignore", "pipe"],
      timeout: options.timeoutMs ?? 60_000,
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stderr }));
  });
}
