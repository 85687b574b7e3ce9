#!/usr/bin/env node
/**
 * The scripted agent: a stand-in for a coding agent CLI in tests and the demo. It does exactly what the
 * prompt's first ```flotilla-script block says, so a test can write an issue and know the agent's changes.
 *
 *   node scripts/scripted-agent.mjs [--block NAME] <prompt file>   (run in the workspace: paths are relative to it)
 *
 * Configured as `adapter: command` with `command: ["node", "<abs path>/scripts/scripted-agent.mjs", "{prompt_file}"]`.
 * Plain JavaScript with no dependencies, so it runs wherever Node does.
 *
 * The script is the first fenced code block whose info string is `flotilla-script` (or NAME, with --block:
 * `--block flotilla-judge` makes a scripted judge), ``` or ~~~; use a longer fence, ````flotilla-script, to
 * write a file that contains a ``` line. When the prompt quotes feedback (`<feedback …>`), the first block
 * after it wins: an iteration follows the feedback it was given, as an agent would. One command per line; blank
 * lines and lines starting with # are skipped. The whole script is parsed before anything runs, so a typo
 * changes nothing. Arguments are words, or "double-quoted" strings with JSON escapes ("a \"b\"\n").
 *
 *   echo <text>                 print the rest of the line as it is
 *   printenv <NAME>...          print NAME=value for each variable (NAME is unset, when it is)
 *   write <path> <<TAG          write the lines up to a line that is exactly TAG as the file (each line ends
 *   …                           with a newline; parent folders are created; an existing file is replaced)
 *   TAG
 *   append <path> <<TAG         the same, added at the end of the file (created when missing)
 *   replace <path> <<TAG        edit a file with a diff-like hunk: lines starting "-" are the old text,
 *   -old line                   "+" the new text, " " (or an empty line) both; the old text must occur
 *   +new line                   exactly once in the file, or the script fails
 *   TAG
 *   delete <path>               remove a file, symlink or folder
 *   rename <from> <to>          move a file (parent folders of <to> are created)
 *   chmod +x <path>             make a file executable (chmod -x: not executable)
 *   symlink <target> <path>     make <path> a symlink to <target>; the target is stored as written
 *   binary <path> <base64>      write bytes
 *   commit <message>            git add -A and git commit in the workspace (the message is the rest of the line)
 *   save-prompt <path>          write the prompt the agent was given to the file (a test reads what it was told)
 *   sleep <ms>                  wait
 *   await <absolute path>       wait until the file exists (up to a minute, then fail): a test holds the agent
 *                               until it has seen what it looks for, then creates the file; only its existence
 *                               is read, so the path may be outside the workspace
 *   exit <code> [message]       print the message to stderr and exit with the code, right away
 *   if <path> has|lacks <text>  run the next command only if the file contains (has) or does not contain
 *                               (lacks) the text; a missing file contains nothing
 *
 * Paths stay inside the workspace: absolute paths, `..`, `.git` and paths through a symlink are refused.
 * A command that fails prints "scripted-agent: line N: why" to stderr and exits 1; a script that does not
 * parse exits 2. Without a flotilla-script block it says so and exits 0 without changing anything.
 */
import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  chmodSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, isAbsolute, join, relative } from "node:path";

class ScriptError extends Error {
  constructor(line, message) {
    super(`line ${line}: ${message}`);
  }
}

/** The lines of the script block (see above), with their line numbers in the prompt file. */
function findScript(text, block) {
  const lines = text.split(/\r?\n/);
  const opens = (l) => new RegExp(`^ {0,3}(\`{3,}|~{3,})[ \\t]*${block}[ \\t]*$`).test(l);
  const feedback = lines.findIndex((l) => l.startsWith("<feedback"));
  const after = feedback === -1 ? -1 : lines.findIndex((l, i) => i > feedback && opens(l));
  const start = after !== -1 ? after : lines.findIndex(opens);
  if (start === -1) return null;
  const fence = /^ {0,3}(`{3,}|~{3,})/.exec(lines[start])[1];
  const close = new RegExp(`^ {0,3}${fence[0]}{${fence.length},}[ \\t]*$`);
  const script = [];
  for (let i = start + 1; i < lines.length && !close.test(lines[i]); i++) {
    script.push({ number: i + 1, text: lines[i] });
  }
  return script;
}

/** Words and "quoted strings" (JSON escapes). */
function words(text, line) {
  const out = [];
  const token = /\s*(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))/y;
  while (token.lastIndex < text.length && text.slice(token.lastIndex).trim() !== "") {
    const match = token.exec(text);
    if (!match) throw new ScriptError(line, `cannot read the arguments: ${text.trim()}`);
    out.push(match[1] === undefined ? match[2] : unquote(`"${match[1]}"`, line));
  }
  return out;
}

function unquote(quoted, line) {
  try {
    return JSON.parse(quoted);
  } catch {
    throw new ScriptError(line, `cannot read the string ${quoted}`);
  }
}

/** The rest of a line as one argument: a quoted string is unquoted, anything else taken as it is. */
function restOf(text, line) {
  const trimmed = text.trim();
  return /^"(?:[^"\\]|\\.)*"$/.test(trimmed) ? unquote(trimmed, line) : trimmed;
}

const ARITY = {
  "save-prompt": 1,
  delete: 1,
  rename: 2,
  chmod: 2,
  symlink: 2,
  binary: 2,
  sleep: 1,
  await: 1,
  if: 3,
};
/** The prompt as given, for `save-prompt`. */
let PROMPT = "";
/** How long `await` waits for its file. */
const AWAIT_MS = 60_000;
const HEREDOC = new Set(["write", "append", "replace"]);

/** Parses every command first, so a script with a mistake fails before it changes anything. */
function parse(script) {
  const commands = [];
  for (let i = 0; i < script.length; i++) {
    const { number, text } = script[i];
    if (text.trim() === "" || text.trimStart().startsWith("#")) continue;
    const name = /^\s*(\S+)/.exec(text)[1];
    const rest = text.slice(text.indexOf(name) + name.length);
    if (name === "echo") commands.push({ name, number, text: rest.replace(/^ /, "") });
    else if (name === "commit" || name === "exit") {
      const [, first = "", message = ""] = /^\s*(\S*)(.*)$/.exec(rest);
      if (name === "exit" && !/^\d+$/.test(first))
        throw new ScriptError(number, "exit needs a code: exit 1 [message]");
      const args = name === "commit" ? [restOf(rest, number)] : [Number(first), restOf(message, number)];
      if (name === "commit" && args[0] === "") throw new ScriptError(number, "commit needs a message");
      commands.push({ name, number, args });
    } else if (name === "printenv") commands.push({ name, number, args: words(rest, number) });
    else if (HEREDOC.has(name)) {
      const args = words(rest, number);
      const tag = /^<<([A-Za-z_][A-Za-z0-9_]*)$/.exec(args[1] ?? "")?.[1];
      if (args.length !== 2 || !tag)
        throw new ScriptError(number, `${name} needs a path and <<TAG: ${name} <path> <<EOF`);
      const body = [];
      for (i++; i < script.length && script[i].text !== tag; i++) body.push(script[i].text);
      if (i >= script.length) throw new ScriptError(number, `${name}: no line "${tag}" ends its text`);
      commands.push({ name, number, args: [args[0]], body });
    } else if (name in ARITY) {
      const args = words(rest, number);
      if (args.length !== ARITY[name])
        throw new ScriptError(number, `${name} takes ${ARITY[name]} argument(s), got ${args.length}`);
      if (name === "chmod" && !["+x", "-x"].includes(args[0]))
        throw new ScriptError(number, "chmod takes +x or -x");
      if (name === "sleep" && !/^\d+$/.test(args[0]))
        throw new ScriptError(number, "sleep takes milliseconds");
      if (name === "await" && !isAbsolute(args[0]))
        throw new ScriptError(number, "await takes an absolute path: await /tmp/go");
      if (name === "if" && !["has", "lacks"].includes(args[1]))
        throw new ScriptError(number, 'if takes a path, has or lacks, and a text: if src/a.js has "a + b"');
      commands.push({ name, number, args });
    } else throw new ScriptError(number, `unknown command "${name}"`);
  }
  return commands;
}

const ROOT = realpathSync(process.cwd());

/** A workspace path as an absolute one, refusing anything that could reach outside the workspace. */
function inside(path, line) {
  if (path === "" || isAbsolute(path))
    throw new ScriptError(line, `${JSON.stringify(path)}: paths are relative to the workspace`);
  const parts = path.split(/[\\/]+/);
  if (parts.includes("..")) throw new ScriptError(line, `${JSON.stringify(path)}: ".." is not allowed`);
  if (parts[0] === ".git") throw new ScriptError(line, `${JSON.stringify(path)}: .git is not the agent's`);
  const full = join(ROOT, path);
  // Every existing folder on the way must be a real folder inside the workspace, not a symlink out of it.
  let folder = dirname(full);
  while (lstatSync(folder, { throwIfNoEntry: false }) === undefined) folder = dirname(folder);
  const real = relative(ROOT, realpathSync(folder));
  if (real.startsWith("..") || isAbsolute(real))
    throw new ScriptError(line, `${JSON.stringify(path)} leads outside the workspace`);
  return full;
}

/** For commands that write through the path: refuses a symlink, which could point anywhere. */
function notSymlink(full, path, line) {
  if (lstatSync(full, { throwIfNoEntry: false })?.isSymbolicLink()) {
    throw new ScriptError(line, `${JSON.stringify(path)} is a symlink; delete it first`);
  }
  return full;
}

const text = (lines) => (lines.length === 0 ? "" : `${lines.join("\n")}\n`);

function replace(full, path, body, line) {
  const before = [];
  const after = [];
  for (const l of body) {
    const mark = l.charAt(0);
    if (l === "" || mark === " ") {
      before.push(l.slice(1));
      after.push(l.slice(1));
    } else if (mark === "-") before.push(l.slice(1));
    else if (mark === "+") after.push(l.slice(1));
    else throw new ScriptError(line, `replace: each line starts with "-", "+" or " ": ${JSON.stringify(l)}`);
  }
  if (before.length === 0) throw new ScriptError(line, "replace needs old text (- or context lines)");
  const old = before.join("\n");
  const content = readFileSync(full, "utf8");
  const at = content.indexOf(old);
  if (at === -1) throw new ScriptError(line, `replace: the text is not in ${path}:\n${old}`);
  if (content.indexOf(old, at + 1) !== -1)
    throw new ScriptError(line, `replace: the text occurs more than once in ${path}:\n${old}`);
  writeFileSync(full, content.slice(0, at) + after.join("\n") + content.slice(at + old.length));
}

function git(args, line) {
  const identity = ["-c", "user.name=Scripted Agent", "-c", "user.email=scripted-agent@flotilla.invalid"];
  const result = spawnSync("git", [...identity, ...args], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (result.status !== 0)
    throw new ScriptError(
      line,
      `git ${args[0]} failed (${result.error?.message ?? `exit ${result.status}`})`,
    );
}

async function run(command) {
  const { name, number: line, args = [], body = [] } = command;
  const say = (what) => console.log(`> ${what}`);
  switch (name) {
    case "echo":
      console.log(command.text);
      return;
    case "printenv":
      for (const key of args)
        console.log(key in process.env ? `${key}=${process.env[key]}` : `${key} is unset`);
      return;
    case "write":
    case "append": {
      const full = notSymlink(inside(args[0], line), args[0], line);
      say(`${name} ${args[0]} (${body.length} lines)`);
      mkdirSync(dirname(full), { recursive: true });
      (name === "write" ? writeFileSync : appendFileSync)(full, text(body));
      return;
    }
    case "replace":
      say(`replace in ${args[0]}`);
      replace(notSymlink(inside(args[0], line), args[0], line), args[0], body, line);
      return;
    case "delete":
      say(`delete ${args[0]}`);
      if (!lstatSync(inside(args[0], line), { throwIfNoEntry: false }))
        throw new ScriptError(line, `${args[0]} does not exist`);
      rmSync(inside(args[0], line), { recursive: true });
      return;
    case "rename": {
      const from = inside(args[0], line);
      const to = inside(args[1], line);
      say(`rename ${args[0]} → ${args[1]}`);
      mkdirSync(dirname(to), { recursive: true });
      renameSync(from, to);
      return;
    }
    case "chmod": {
      const full = notSymlink(inside(args[1], line), args[1], line);
      say(`chmod ${args[0]} ${args[1]}`);
      const mode = statSync(full).mode & 0o777;
      chmodSync(full, args[0] === "+x" ? mode | 0o111 : mode & ~0o111);
      return;
    }
    case "symlink": {
      const full = inside(args[1], line);
      say(`symlink ${args[1]} → ${args[0]}`);
      mkdirSync(dirname(full), { recursive: true });
      symlinkSync(args[0], full);
      return;
    }
    case "binary": {
      const full = notSymlink(inside(args[0], line), args[0], line);
      const bytes = Buffer.from(args[1], "base64");
      say(`binary ${args[0]} (${bytes.length} bytes)`);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, bytes);
      return;
    }
    case "commit":
      say(`commit ${JSON.stringify(args[0])}`);
      git(["add", "--all"], line);
      git(["commit", "--quiet", "--no-verify", "--message", args[0]], line);
      return;
    case "save-prompt": {
      const full = notSymlink(inside(args[0], line), args[0], line);
      say(`save-prompt ${args[0]}`);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, PROMPT);
      return;
    }
    case "sleep":
      say(`sleep ${args[0]} ms`);
      await new Promise((resolve) => setTimeout(resolve, Number(args[0])));
      return;
    case "await": {
      say(`await ${args[0]}`);
      const deadline = Date.now() + AWAIT_MS;
      while (!lstatSync(args[0], { throwIfNoEntry: false })) {
        if (Date.now() > deadline)
          throw new ScriptError(line, `await: ${args[0]} did not appear in ${AWAIT_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return;
    }
    case "exit":
      if (args[1]) console.error(args[1]);
      process.exit(args[0]);
      return;
    case "if": {
      const full = inside(args[0], line);
      const content = lstatSync(full, { throwIfNoEntry: false }) ? readFileSync(full, "utf8") : "";
      return content.includes(args[2]) === (args[1] === "has");
    }
  }
}

async function main() {
  const args = process.argv.slice(2);
  const block = args[0] === "--block" ? args[1] : "flotilla-script";
  const promptFile = args[0] === "--block" ? args[2] : args[0];
  if (!promptFile || !/^[\w-]+$/.test(block ?? "")) {
    console.error("usage: scripted-agent.mjs [--block NAME] <prompt file>   (run in the workspace)");
    return 2;
  }
  PROMPT = readFileSync(promptFile, "utf8");
  const script = findScript(PROMPT, block);
  if (script === null) {
    console.log(`scripted-agent: the prompt has no ${block} block; nothing to do`);
    return 0;
  }
  let commands;
  try {
    commands = parse(script);
  } catch (error) {
    console.error(`scripted-agent: ${error.message}`);
    return 2;
  }
  let skip = false;
  for (const command of commands) {
    if (skip) {
      skip = false;
      continue;
    }
    try {
      if ((await run(command)) === false) skip = true;
    } catch (error) {
      const why = error instanceof ScriptError ? error.message : `line ${command.number}: ${error.message}`;
      console.error(`scripted-agent: ${why}`);
      return 1;
    }
  }
  console.log(`scripted-agent: done, ${commands.length} command(s)`);
  return 0;
}

process.exitCode = await main();
