import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { computeChangeset, type FileChange, readChangedFile } from "../../src/runner/changeset.js";
import { gitIn } from "./fixtures.js";

let repo: string;
let baseSha: string;

function git(...args: string[]): string {
  return gitIn(repo, ...args);
}

function write(path: string, content: string | Buffer): void {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), content);
}

function byPath(files: FileChange[]): Record<string, FileChange> {
  return Object.fromEntries(files.map((f) => [f.path, f]));
}

const LONG_TEXT = `${Array.from({ length: 40 }, (_, i) => `line ${i} of a file that will move`).join("\n")}\n`;

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), "flotilla-changeset-"));
  git("init", "--quiet", "--initial-branch=main");
  write("README.md", "# project\n");
  write("src/keep.ts", "export const keep = 1;\n");
  write("src/old-name.ts", LONG_TEXT);
  write("run.sh", "echo hi\n");
  write(".gitignore", "dist/\n*.log\n");
  git("add", "-A");
  git("commit", "--quiet", "-m", "base");
  baseSha = git("rev-parse", "HEAD").trim();
});

afterEach(() => {
  rmSync(repo, { recursive: true, force: true });
});

describe("computeChangeset", () => {
  it("returns no files when the agent changed nothing", async () => {
    expect(await computeChangeset(repo, baseSha)).toEqual({ baseSha, files: [] });
  });

  it("reports text files added, modified and deleted", async () => {
    write("src/new.ts", "export const fresh = true;\n");
    write("README.md", "# project\n\nMore.\n");
    unlinkSync(join(repo, "src/keep.ts"));

    const files = byPath((await computeChangeset(repo, baseSha)).files);

    expect(files["src/new.ts"]).toEqual({
      path: "src/new.ts",
      status: "added",
      mode: "100644",
      binary: false,
      bytes: 27,
    });
    expect(files["README.md"]).toMatchObject({ status: "modified", mode: "100644", bytes: 17 });
    expect(files["src/keep.ts"]).toEqual({
      path: "src/keep.ts",
      status: "deleted",
      mode: null,
      binary: false,
      bytes: 0,
    });
    expect(Object.keys(files)).toHaveLength(3);
  });

  it("detects a moved file as renamed with its previous path", async () => {
    renameSync(join(repo, "src/old-name.ts"), join(repo, "src/new-name.ts"));

    const { files } = await computeChangeset(repo, baseSha);

    expect(files).toEqual([
      {
        path: "src/new-name.ts",
        previousPath: "src/old-name.ts",
        status: "renamed",
        mode: "100644",
        binary: false,
        bytes: LONG_TEXT.length,
      },
    ]);
  });

  it("flags a binary file with its exact size and returns its bytes", async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    write("assets/all-bytes.bin", bytes);

    const { files } = await computeChangeset(repo, baseSha);

    expect(files).toEqual([
      { path: "assets/all-bytes.bin", status: "added", mode: "100644", binary: true, bytes: 256 },
    ]);
    expect(await readChangedFile(repo, files[0] as FileChange)).toEqual(bytes);
  });

  it("keeps the binary flag on a renamed binary file", async () => {
    write("blob.bin", Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
    git("add", "-A");
    git("commit", "--quiet", "-m", "binary");
    const base = git("rev-parse", "HEAD").trim();
    renameSync(join(repo, "blob.bin"), join(repo, "moved blob.bin"));

    const { files } = await computeChangeset(repo, base);

    expect(files).toEqual([
      {
        path: "moved blob.bin",
        previousPath: "blob.bin",
        status: "renamed",
        mode: "100644",
        binary: true,
        bytes: 256,
      },
    ]);
  });

  it("counts chmod +x alone as a modification to mode 100755", async () => {
    chmodSync(join(repo, "run.sh"), 0o755);

    const { files } = await computeChangeset(repo, baseSha);

    expect(files).toEqual([{ path: "run.sh", status: "modified", mode: "100755", binary: false, bytes: 8 }]);
  });

  it("reports a symlink with mode 120000 and its target as content", async () => {
    symlinkSync("src/keep.ts", join(repo, "link-to-keep"));

    const { files } = await computeChangeset(repo, baseSha);

    expect(files).toEqual([
      { path: "link-to-keep", status: "added", mode: "120000", binary: false, bytes: "src/keep.ts".length },
    ]);
    expect((await readChangedFile(repo, files[0] as FileChange)).toString()).toBe("src/keep.ts");
  });

  it("includes untracked files but leaves out those .gitignore ignores", async () => {
    write("notes/todo.md", "- ship it\n");
    write("dist/bundle.js", "ignored();\n");
    write("debug.log", "ignored\n");

    const { files } = await computeChangeset(repo, baseSha);

    expect(files.map((f) => f.path)).toEqual(["notes/todo.md"]);
  });

  it("includes the agent's commits and what it left staged and unstaged, all against baseSha", async () => {
    write("src/committed.ts", "export const committed = 1;\n");
    unlinkSync(join(repo, "run.sh"));
    git("add", "-A");
    git("commit", "--quiet", "-m", "agent work");
    write("src/staged.ts", "export const staged = 1;\n");
    git("add", "src/staged.ts");
    write("README.md", "# edited but not staged\n");
    write("untracked.txt", "left lying around\n");

    const { baseSha: reportedBase, files } = await computeChangeset(repo, baseSha);

    expect(reportedBase).toBe(baseSha);
    expect(files.map((f) => [f.path, f.status])).toEqual([
      ["README.md", "modified"],
      ["run.sh", "deleted"],
      ["src/committed.ts", "added"],
      ["src/staged.ts", "added"],
      ["untracked.txt", "added"],
    ]);
  });

  it("keeps paths with spaces, unicode, tabs and newlines intact", async () => {
    const odd = ["docs/with space.md", "docs/ünïcødé 日本.md", "docs/tab\there.md", "docs/new\nline.md"];
    for (const path of odd) write(path, `${path}\n`);

    const { files } = await computeChangeset(repo, baseSha);

    expect(files.map((f) => f.path).sort()).toEqual([...odd].sort());
    for (const file of files) {
      expect(file.bytes).toBe(Buffer.byteLength(`${file.path}\n`));
      expect((await readChangedFile(repo, file)).toString()).toBe(`${file.path}\n`);
    }
  });

  it("renames a file whose path has spaces and unicode", async () => {
    write("src/spaced name.ts", LONG_TEXT);
    git("add", "-A");
    git("commit", "--quiet", "-m", "spaced");
    const base = git("rev-parse", "HEAD").trim();
    renameSync(join(repo, "src/spaced name.ts"), join(repo, "src/renamed ✓.ts"));

    const { files } = await computeChangeset(repo, base);

    expect(files).toEqual([
      expect.objectContaining({ path: "src/renamed ✓.ts", previousPath: "src/spaced name.ts" }),
    ]);
  });

  it("leaves the user's index and git status untouched", async () => {
    write("src/staged.ts", "export const staged = 1;\n");
    git("add", "src/staged.ts");
    write("README.md", "# unstaged edit\n");
    write("untracked.txt", "new\n");
    const statusBefore = git("status", "--porcelain=v2", "--untracked-files=all");
    const stagedBefore = git("diff", "--cached", "--name-status");
    const indexBefore = readFileSync(join(repo, ".git/index"));

    const { files } = await computeChangeset(repo, baseSha);

    expect(readFileSync(join(repo, ".git/index"))).toEqual(indexBefore);

    expect(files).toHaveLength(3);
    expect(git("status", "--porcelain=v2", "--untracked-files=all")).toBe(statusBefore);
    expect(git("diff", "--cached", "--name-status")).toBe(stagedBefore);
  });

  it("reads a change's content from the working tree when given a copied change", async () => {
    write("copy-me.txt", "content\n");
    const { files } = await computeChangeset(repo, baseSha);
    const copy = { ...(files[0] as FileChange) };

    expect((await readChangedFile(repo, copy)).toString()).toBe("content\n");
  });

  it("counts a file replaced by a symlink as modified to mode 120000", async () => {
    unlinkSync(join(repo, "README.md"));
    symlinkSync("run.sh", join(repo, "README.md"));

    const { files } = await computeChangeset(repo, baseSha);

    expect(files).toEqual([
      { path: "README.md", status: "modified", mode: "120000", binary: false, bytes: 6 },
    ]);
  });

  it("gives up with a timeout error when git takes longer than timeoutMs", async () => {
    await expect(computeChangeset(repo, baseSha, { timeoutMs: 1 })).rejects.toThrow(/timed out/);
  });

  it("refuses a base that is not a commit, including one that looks like an option", async () => {
    await expect(computeChangeset(repo, "--output=/tmp/x")).rejects.toThrow(/rev-parse/);
    await expect(computeChangeset(repo, "0".repeat(40))).rejects.toThrow(/rev-parse/);
  });
});
