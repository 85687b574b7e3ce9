import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "@jest/globals";
import type { AgentConfig } from "../../../src/app/config/schema.js";
import type { AdapterName } from "../../../src/runner/adapters/adapter.js";
import { runSession, type SessionResult } from "../../../src/runner/run-session.js";
import { type Workspace, Workspaces } from "../../../src/runner/workspace.js";
import { realCliBinDir } from "../../helpers/agent-clis.js";
import { createRepo } from "../fixtures.js";

/** A loopback port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RealCliOptions {
  /** The agent's environment besides PATH: its API key. */
  env?: Record<string, string>;
  /** The repository's files. @defaultValue a README */
  files?: Record<string, string>;
  /** The agent's timeout in ms. @defaultValue 90_000 */
  timeout?: number;
}

export interface RealCli {
  /** The folder with the pinned CLI, to put on PATH. */
  bin: string;
  tmp: string;
  workspace: Workspace;
  /** Runs the real CLI through runSession on the issue "Add hello.txt"; `env` adds to the options' env. */
  run(agent: Partial<AgentConfig>, env?: Record<string, string>): Promise<SessionResult>;
}

/** A temp repository and worktree for each test, and a run of the adapter's real, pinned CLI in it. */
export function useRealCli(adapter: AdapterName, options: RealCliOptions = {}): RealCli {
  const { env: base = {}, files = { "README.md": "# widgets\n" }, timeout = 90_000 } = options;
  const cli = { bin: realCliBinDir(adapter) } as RealCli;
  beforeEach(async () => {
    cli.tmp = mkdtempSync(join(tmpdir(), `flotilla-real-${adapter}-`));
    mkdirSync(join(cli.tmp, "tmp"));
    createRepo(join(cli.tmp, "upstream"), files);
    cli.workspace = await new Workspaces({ root: join(cli.tmp, "root") }).open(
      { key: "1", url: `file://${join(cli.tmp, "upstream")}` },
      { baseBranch: "main", branch: "flotilla/7-hello", name: "t7" },
    );
  });
  afterEach(async () => {
    await cli.workspace?.close();
    rmSync(cli.tmp, { recursive: true, force: true });
  });
  cli.run = (agent, env = {}) =>
    runSession({
      workspace: cli.workspace.dir,
      baseSha: cli.workspace.baseSha,
      agentName: adapter,
      agent: { adapter, timeout, maxOutput: 32 * 1024 * 1024, ...agent } as AgentConfig,
      repo: "acme/widgets",
      request: { issue: { number: 7, title: "Add hello.txt", body: "Write hello.txt saying hello." } },
      env: { PATH: `${cli.bin}:${process.env.PATH ?? "/usr/bin:/bin"}`, ...base, ...env },
      tmpRoot: join(cli.tmp, "tmp"),
      killGraceMs: 1_000,
    });
  return cli;
}
