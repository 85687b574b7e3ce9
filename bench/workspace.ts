/**
 * What it costs to get a workspace for an agent run on a repository of 20,000 small files, served by the
 * GitHub sandbox over smart HTTP with an installation token (as GitHub serves it):
 *
 *   - a fresh `git clone` (what a runner without a cache does; with the same parallel checkout),
 *   - Workspaces.open on a cold root (creates the mirror: a full fetch, then a worktree),
 *   - Workspaces.open on a warm mirror after someone pushed one commit (fetch + worktree add),
 *   - Workspace.close (worktree remove + prune),
 *   - and, to show where the time goes, the transfer alone (a bare clone) and the checkout alone (worktree
 *     add), with git's parallel checkout (`checkout.workers=0`, one worker per core) and with one worker.
 *
 *   npm run bench:workspace            (FILES=20000 REPS=5 by default)
 *
 * Everything runs on loopback in temp dirs; nothing leaves the machine.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ProbotOctokit } from "probot";
import { Sandbox } from "../sandbox/index.js";
import { type Workspace, Workspaces } from "../src/runner/workspace.js";

const FILES = Number(process.env.FILES ?? 20_000);
const REPS = Number(process.env.REPS ?? 5);
const run = promisify(execFile);

const GIT_ENV = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: "/nonexistent",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Bench",
  GIT_AUTHOR_EMAIL: "bench@example.com",
  GIT_COMMITTER_NAME: "Bench",
  GIT_COMMITTER_EMAIL: "bench@example.com",
};

/** The token as a header in git's environment, the way Workspaces passes it. */
function authEnv(token: string): Record<string, string> {
  const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
  return {
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: "http.extraHeader",
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
}

async function git(cwd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run("git", args, {
    cwd,
    env: { ...GIT_ENV, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** FILES small source-like files in 100-file folders, committed in a local repository. */
async function seedRepository(dir: string): Promise<void> {
  await git(tmpdir(), ["init", "--quiet", "--initial-branch=main", dir]);
  for (let i = 0; i < FILES; i++) {
    const folder = join(dir, "src", `module-${Math.floor(i / 100)}`);
    if (i % 100 === 0) await mkdir(folder, { recursive: true });
    await writeFile(
      join(folder, `file-${i}.ts`),
      `export const value${i} = ${i};\n// ${"x".repeat(i % 80)}\n`,
    );
  }
  await git(dir, ["add", "-A"]);
  await git(dir, ["commit", "--quiet", "-m", `${FILES} files`]);
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

function report(label: string, samples: number[]): void {
  const all = samples.map((ms) => ms.toFixed(0)).join(", ");
  console.log(`${label.padEnd(52)} median ${median(samples).toFixed(0).padStart(6)} ms   (${all})`);
}

const work = await mkdtemp(join(tmpdir(), "flotilla-bench-workspace-"));
const sandbox = await Sandbox.start();
try {
  const { stdout: gitVersion } = await run("git", ["--version"]);
  console.log(
    `node ${process.version}, ${gitVersion.trim()}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 1024 ** 3).toFixed(0)} GiB`,
  );
  const app = sandbox.script.createApp({ name: "Bench" });
  await sandbox.script.createRepo({ owner: "acme", name: "big" });
  const installation = sandbox.script.installApp({ appId: app.id, account: "acme" });
  const octokit = new ProbotOctokit({
    baseUrl: sandbox.baseUrl,
    auth: { appId: app.id, privateKey: app.privateKey, installationId: installation.id },
  });
  const { token } = (await octokit.auth({ type: "installation" })) as { token: string };
  const url = sandbox.script.cloneUrl({ repo: "acme/big" }).http;

  const seed = join(work, "seed");
  const seeding = await timed(async () => {
    await seedRepository(seed);
    await git(seed, ["push", "--quiet", url, "main"], authEnv(token));
  });
  console.log(
    `seeded ${FILES} files over smart HTTP in ${(seeding / 1000).toFixed(1)} s (not measured below)`,
  );

  // Nothing is deleted between measurements, and dirty pages are flushed before each: on this machine's disk
  // (ext4 mounted with `discard`) deleting 20,000 files slows the file system for seconds afterwards, which
  // would be charged to whatever ran next.
  const measure = async (action: () => Promise<unknown>) => {
    await run("sync");
    return timed(action);
  };

  const source = { key: "big", url, token };
  const opened: Workspace[] = [];
  const warmWorkspaces = new Workspaces({ root: join(work, "warm-root") });
  opened.push(
    await warmWorkspaces.open(source, { baseBranch: "main", branch: "flotilla/warmup", name: "warmup" }),
  );

  const clones: number[] = [];
  const cold: number[] = [];
  const warm: number[] = [];
  const transfers: number[] = [];
  const checkouts: number[] = [];
  const sequentialCheckouts: number[] = [];
  const checkout = (bare: string, workers: number, dir: string) =>
    git(bare, ["-c", `checkout.workers=${workers}`, "worktree", "add", "--quiet", "--detach", dir, "main"]);
  for (let i = 0; i < REPS; i++) {
    // Someone pushed since the last run: a warm mirror's fetch has one small commit to bring.
    await sandbox.script.pushFiles({
      repo: "acme/big",
      branch: "main",
      files: { [`src/module-0/file-${i}.ts`]: `export const changed = ${i};\n` },
    });
    const bare = join(work, `bare-${i}.git`);
    const steps = [
      // With the same parallel checkout as Workspaces, so the two differ only in where objects come from.
      async () => {
        const clone = ["-c", "checkout.workers=0", "clone", "--quiet", url, join(work, `clone-${i}`)];
        clones.push(await measure(() => git(work, clone, authEnv(token))));
      },
      async () => {
        const workspaces = new Workspaces({ root: join(work, `cold-root-${i}`) });
        const options = { baseBranch: "main", branch: `flotilla/cold-${i}`, name: `cold-${i}` };
        cold.push(await measure(async () => opened.push(await workspaces.open(source, options))));
      },
      async () => {
        const options = { baseBranch: "main", branch: `flotilla/warm-${i}`, name: `warm-${i}` };
        warm.push(await measure(async () => opened.push(await warmWorkspaces.open(source, options))));
      },
      // Where the time goes: the transfer alone (a bare clone writes no files), then the checkout alone,
      // with one worker per core and with one worker (in turns, first one then the other).
      async () => {
        transfers.push(
          await measure(() => git(work, ["clone", "--quiet", "--bare", url, bare], authEnv(token))),
        );
        const parallel = async () => checkouts.push(await measure(() => checkout(bare, 0, `${bare}-p`)));
        const sequential = async () =>
          sequentialCheckouts.push(await measure(() => checkout(bare, 1, `${bare}-s`)));
        for (const step of i % 2 === 0 ? [parallel, sequential] : [sequential, parallel]) await step();
      },
    ];
    // Each round starts at another step, so a slow spell of the machine does not always hit the same one.
    for (let k = 0; k < steps.length; k++) await steps[(i + k) % steps.length]?.();
  }

  const closes: number[] = [];
  for (const workspace of opened.slice(1, 1 + REPS)) closes.push(await measure(() => workspace.close()));

  console.log(`\n${FILES} files, ${REPS} repetitions each:`);
  report("fresh git clone (smart HTTP, parallel checkout)", clones);
  report("Workspaces.open, cold root (mirror fetch + worktree)", cold);
  report("Workspaces.open, warm mirror (fetch 1 commit + worktree)", warm);
  report("Workspace.close (worktree remove + prune)", closes);
  report("for comparison: transfer only (git clone --bare)", transfers);
  report("for comparison: checkout only (worktree add, parallel)", checkouts);
  report("for comparison: checkout only, one checkout worker", sequentialCheckouts);
  for (const workspace of opened) await workspace.close();
} finally {
  await sandbox.stop();
  await rm(work, { recursive: true, force: true });
}
