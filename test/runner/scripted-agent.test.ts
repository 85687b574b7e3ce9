import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { computeChangeset } from "../../src/runner/changeset.js";
import { createRepo, GIT_ENV, gitIn, SCRIPTED_AGENT, scriptPrompt } from "./fixtures.js";

let tmp: string;
let workspace: string;
let baseSha: string;

/** Runs the scripted agent for real, as an executable, in the workspace. */
function agent(prompt: string, args: string[] = []) {
  const promptFile = join(tmp, "prompt.md");
  writeFileSync(promptFile, prompt);
  const result = spawnSync(SCRIPTED_AGENT, [...args, promptFile], {
    cwd: workspace,
    env: { PATH: GIT_ENV.PATH, HOME: join(tmp, "home") },
    encoding: "utf8",
    timeout: 20_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const read = (path: string) => readFileSync(join(workspace, path), "utf8");

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), "flotilla-scripted-agent-"));
  mkdirSync(join(tmp, "home"));
  workspace = join(tmp, "workspace");
  baseSha = createRepo(workspace, {
    "README.md": "# widgets\n",
    "greet.js": 'export function greet(name) {\n  return "hello " + name;\n}\n',
  });
});

afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe("scripts/scripted-agent.mjs", () => {
  it("is an executable file that runs under node", () => {
    expect(statSync(SCRIPTED_AGENT).mode & 0o111).not.toBe(0);
    expect(readFileSync(SCRIPTED_AGENT, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("says there is nothing to do and changes nothing without a flotilla-script block", async () => {
    const result = agent("Please fix the greeting.\n\n```js\nconsole.log(1)\n```\n");

    expect(result).toMatchObject({ status: 0, stderr: "" });
    expect(result.stdout).toContain("no flotilla-script block");
    expect((await computeChangeset(workspace, baseSha)).files).toEqual([]);
  });

  it("writes, appends and replaces text, printing what it does", () => {
    const result = agent(
      scriptPrompt(`
write docs/notes.md <<EOF
first line

third line
EOF
append docs/notes.md <<EOF
appended
EOF
replace greet.js <<EOF
 export function greet(name) {
-  return "hello " + name;
+  return "bonjour " + name;
EOF`),
    );

    expect(result).toMatchObject({ status: 0, stderr: "" });
    expect(result.stdout).toContain("> write docs/notes.md (3 lines)");
    expect(result.stdout).toContain("> replace in greet.js");
    expect(read("docs/notes.md")).toBe("first line\n\nthird line\nappended\n");
    expect(read("greet.js")).toBe('export function greet(name) {\n  return "bonjour " + name;\n}\n');
  });

  it("fails clearly, exit 1, when the text to replace is not in the file", () => {
    const result = agent(scriptPrompt('replace greet.js <<EOF\n-return "goodbye"\n+return "hi"\nEOF'));

    expect(result.status).toBe(1);
    expect(result.stderr).toContain("scripted-agent: line");
    expect(result.stderr).toContain('the text is not in greet.js:\nreturn "goodbye"');
  });

  it("deletes, renames, makes executable, symlinks and writes bytes", async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    const result = agent(
      scriptPrompt(`
delete README.md
rename greet.js src/greet.js
write run.sh <<EOF
echo hi
EOF
chmod +x run.sh
symlink src/greet.js link.js
binary assets/blob.bin ${bytes.toString("base64")}`),
    );

    expect(result).toMatchObject({ status: 0, stderr: "" });
    expect(existsSync(join(workspace, "README.md"))).toBe(false);
    expect(statSync(join(workspace, "run.sh")).mode & 0o111).not.toBe(0);
    expect(readlinkSync(join(workspace, "link.js"))).toBe("src/greet.js");
    expect(readFileSync(join(workspace, "assets/blob.bin"))).toEqual(bytes);
    const files = (await computeChangeset(workspace, baseSha)).files;
    expect(Object.fromEntries(files.map((f) => [f.path, [f.status, f.mode, f.binary]]))).toEqual({
      "README.md": ["deleted", null, false],
      "src/greet.js": ["renamed", "100644", false],
      "run.sh": ["added", "100755", false],
      "link.js": ["added", "120000", false],
      "assets/blob.bin": ["added", "100644", true],
    });
  });

  it("commits with git, and work committed and left uncommitted both count", async () => {
    const result = agent(
      scriptPrompt(`
write committed.txt <<EOF
in a commit
EOF
commit "Add committed.txt"
write uncommitted.txt <<EOF
left on disk
EOF`),
    );

    expect(result).toMatchObject({ status: 0, stderr: "" });
    expect(gitIn(workspace, "log", "-1", "--format=%s|%an").trim()).toBe("Add committed.txt|Scripted Agent");
    const files = (await computeChangeset(workspace, baseSha)).files;
    expect(files.map((f) => f.path).sort()).toEqual(["committed.txt", "uncommitted.txt"]);
  });

  it("echoes text, prints variables, sleeps, and exits with a code and a message on stderr", () => {
    const result = agent(
      scriptPrompt(`
# a comment
echo working on it
printenv HOME MISSING_VAR
sleep 10
exit 3 "gave up: tests fail"
write never.txt <<EOF
x
EOF`),
    );

    expect(result.status).toBe(3);
    expect(result.stdout).toContain(
      `working on it\nHOME=${join(tmp, "home")}\nMISSING_VAR is unset\n> sleep 10 ms\n`,
    );
    expect(result.stderr).toBe("gave up: tests fail\n");
    expect(existsSync(join(workspace, "never.txt"))).toBe(false);
  });

  it("saves the prompt it was given where the script says", () => {
    const prompt = scriptPrompt("save-prompt notes/prompt.md");
    expect(agent(prompt)).toMatchObject({ status: 0, stderr: "" });
    expect(read("notes/prompt.md")).toBe(prompt);
  });

  it("holds at `await` until the file appears, and refuses a relative path", async () => {
    const gate = join(tmp, "go");
    const promptFile = join(tmp, "prompt.md");
    writeFileSync(promptFile, scriptPrompt(`await ${gate}\nwrite after.txt <<EOF\nreleased\nEOF`));
    const child = spawn(SCRIPTED_AGENT, [promptFile], { cwd: workspace, env: { PATH: GIT_ENV.PATH } });
    let stdout = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    while (!stdout.includes(`> await ${gate}`)) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(join(workspace, "after.txt"))).toBe(false);

    writeFileSync(gate, "");

    expect(await exited).toBe(0);
    expect(read("after.txt")).toBe("released\n");
    expect(agent(scriptPrompt("await go"))).toMatchObject({
      status: 2,
      stderr: "scripted-agent: line 4: await takes an absolute path: await /tmp/go\n",
    });
  });

  it("runs only the first flotilla-script block, and a longer fence can hold ``` lines", () => {
    const prompt = `${scriptPrompt("write doc.md <<EOF\n```js\ncode\n```\nEOF", "````")}\n${scriptPrompt("exit 9")}`;

    const result = agent(prompt);

    expect(result.status).toBe(0);
    expect(read("doc.md")).toBe("```js\ncode\n```\n");
  });

  it("follows the first block after quoted feedback, as an iteration follows its feedback", () => {
    const prompt = `<issue>\n${scriptPrompt("echo the issue's script")}</issue>\n<feedback author="judge">\n${scriptPrompt("echo the feedback's script")}</feedback>\n`;

    expect(agent(prompt).stdout).toContain("the feedback's script");
    expect(agent(`<issue>\n${scriptPrompt("echo the issue's script")}</issue>\n`).stdout).toContain(
      "the issue's script",
    );
  });

  it("runs another block with --block (a scripted judge), and `if` guards the next command on a file's text", () => {
    writeFileSync(join(workspace, "add.js"), "return a - b;\n");
    const judge = [
      "```flotilla-judge",
      'if add.js has "a - b"',
      "echo changes please",
      'if add.js lacks "a - b"',
      "echo approved",
      'if missing.js has ""',
      "echo a missing file has the empty text",
      "```",
    ].join("\n");
    const prompt = `${scriptPrompt("exit 9")}\n${judge}\n`;

    const before = agent(prompt, ["--block", "flotilla-judge"]);
    writeFileSync(join(workspace, "add.js"), "return a + b;\n");
    const after = agent(prompt, ["--block", "flotilla-judge"]);

    expect(before.status).toBe(0);
    expect(before.stdout).toBe(
      "changes please\na missing file has the empty text\nscripted-agent: done, 6 command(s)\n",
    );
    expect(after.stdout).toBe(
      "approved\na missing file has the empty text\nscripted-agent: done, 6 command(s)\n",
    );
    expect(agent(scriptPrompt('if add.js maybe "x"\necho no')).stderr).toContain(
      "if takes a path, has or lacks",
    );
  });

  it.each([
    ["an absolute path", "write /tmp/escape.txt <<EOF\nx\nEOF", "paths are relative to the workspace"],
    ["a path with ..", "write ../escape.txt <<EOF\nx\nEOF", '".." is not allowed'],
    ["a path into .git", "write .git/hooks/pre-commit <<EOF\nx\nEOF", ".git is not the agent's"],
    ["a rename out of the workspace", "rename README.md ../README.md", '".." is not allowed'],
    ["a delete outside", "delete ../workspace", '".." is not allowed'],
  ])("refuses %s, exit 1", (_, script, message) => {
    const result = agent(scriptPrompt(script));

    expect(result.status).toBe(1);
    expect(result.stderr).toContain(message);
    expect(existsSync(join(tmp, "escape.txt"))).toBe(false);
  });

  it("refuses to write through a symlink that leads out of the workspace", () => {
    mkdirSync(join(tmp, "outside"));
    symlinkSync(join(tmp, "outside"), join(workspace, "out-dir"));
    symlinkSync(join(tmp, "outside", "file.txt"), join(workspace, "out-file"));

    const throughDir = agent(scriptPrompt("write out-dir/x.txt <<EOF\nx\nEOF"));
    const throughFile = agent(scriptPrompt("write out-file <<EOF\nx\nEOF"));

    expect(throughDir.status).toBe(1);
    expect(throughDir.stderr).toContain("leads outside the workspace");
    expect(throughFile.status).toBe(1);
    expect(throughFile.stderr).toContain("is a symlink");
    expect(existsSync(join(tmp, "outside", "x.txt"))).toBe(false);
    expect(existsSync(join(tmp, "outside", "file.txt"))).toBe(false);
    expect(lstatSync(join(workspace, "out-file")).isSymbolicLink()).toBe(true);
  });

  it("changes nothing when the script has a mistake anywhere, exit 2", async () => {
    const result = agent(scriptPrompt("write a.txt <<EOF\nx\nEOF\nfrobnicate everything"));

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown command "frobnicate"');
    expect((await computeChangeset(workspace, baseSha)).files).toEqual([]);
  });

  it("reads quoted arguments with spaces and escapes", () => {
    const result = agent(
      scriptPrompt('write "with space/a \\"q\\".txt" <<EOF\nx\nEOF\ncommit "Say \\"hi\\""'),
    );

    expect(result).toMatchObject({ status: 0, stderr: "" });
    expect(read('with space/a "q".txt')).toBe("x\n");
    expect(gitIn(workspace, "log", "-1", "--format=%s").trim()).toBe('Say "hi"');
  });
});
