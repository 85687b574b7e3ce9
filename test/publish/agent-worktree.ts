import { chmod, mkdir, mkdtemp, rm, symlink, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  type Changeset,
  computeChangeset,
  type FileChange,
  readChangedFile,
} from "../../src/runner/changeset.js";
import { git } from "../../src/runner/git.js";
import type { World } from "../helpers/sandbox.js";

/** A clone of the world's repository, as the runner leaves it for publishing: an agent edits files in it. */
export interface AgentWorktree {
  dir: string;
  baseSha: string;
  write(path: string, content: string | Buffer, mode?: number): Promise<void>;
  link(path: string, target: string): Promise<void>;
  remove(path: string): Promise<void>;
  /** `git mv`, as an agent renaming a file would. */
  move(from: string, to: string): Promise<void>;
  /** What the agent changed, as the runner computes it. */
  changeset(): Promise<Changeset>;
  read(change: FileChange): Promise<Buffer>;
  /** The tree git writes for the working tree: what the branch must hold, byte for byte and mode for mode. */
  expectedTree(): Promise<string>;
  dispose(): Promise<void>;
}

export async function agentWorktree(world: World): Promise<AgentWorktree> {
  const parent = await mkdtemp(join(tmpdir(), "flotilla-publish-"));
  const dir = join(parent, "work");
  const { file } = world.sandbox.script.cloneUrl({ repo: world.repo.fullName });
  await git(parent, ["clone", "--quiet", file, dir]);
  const baseSha = (await git(dir, ["rev-parse", "HEAD"])).trim();
  const at = async (path: string) => {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    return join(dir, path);
  };
  return {
    dir,
    baseSha,
    async write(path, content, mode) {
      const full = await at(path);
      await writeFile(full, content);
      if (mode !== undefined) await chmod(full, mode);
    },
    async link(path, target) {
      await symlink(target, await at(path));
    },
    async remove(path) {
      await unlink(join(dir, path));
    },
    async move(from, to) {
      await at(to);
      await git(dir, ["mv", from, to]);
    },
    changeset: () => computeChangeset(dir, baseSha),
    read: (change) => readChangedFile(dir, change),
    async expectedTree() {
      await git(dir, ["add", "--all"]);
      return (await git(dir, ["write-tree"])).trim();
    },
    dispose: () => rm(parent, { recursive: true, force: true }),
  };
}
