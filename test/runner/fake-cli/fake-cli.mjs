#!/usr/bin/env node
// A stand-in for an agent CLI (claude, codex, gemini, …) in adapter tests: installed under the CLI's name on
// PATH, it finds a ```fake-cli block with a JSON scenario in its prompt — from its arguments, a file an
// argument names, or stdin — and acts it out: records how it was called, writes files, prints the lines the
// real CLI would print, floods, sleeps, leaves a child behind, exits with a code.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const BLOCK = /```fake-cli\n([\s\S]*?)\n```/;

function readStdin() {
  try {
    return readFileSync(0, "utf8");
  } catch {
    return "";
  }
}

function findScenario(stdin) {
  const texts = [stdin, ...process.argv.slice(2)];
  for (const arg of process.argv.slice(2)) {
    const path = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : arg;
    if (path.startsWith("/") && existsSync(path) && statSync(path).isFile())
      texts.push(readFileSync(path, "utf8"));
  }
  for (const text of texts) {
    const match = BLOCK.exec(text);
    if (match?.[1]) return JSON.parse(match[1]);
  }
  return undefined;
}

const stdin = readStdin();
const scenario = findScenario(stdin);
if (!scenario) {
  process.stderr.write("fake-cli: no ```fake-cli scenario in the prompt\n");
  process.exit(2);
}
if (scenario.record) {
  writeFileSync(
    scenario.record,
    JSON.stringify({ argv: process.argv.slice(2), env: process.env, cwd: process.cwd(), stdin }),
  );
}
for (const [path, content] of Object.entries(scenario.write ?? {})) {
  mkdirSync(dirname(join(process.cwd(), path)), { recursive: true });
  writeFileSync(join(process.cwd(), path), content);
}
if (scenario.child) {
  // A grandchild in the same process group, as a CLI's tool call would leave behind; its pid for the test.
  const child = spawn("sleep", ["600"], { stdio: "ignore" });
  writeFileSync(scenario.child, String(child.pid));
}
for (const line of scenario.stdout ?? []) process.stdout.write(`${line}\n`);
for (const line of scenario.stderr ?? []) process.stderr.write(`${line}\n`);
if (scenario.flood) {
  const chunk = `${"x".repeat(1023)}\n`;
  for (let i = 0; i < scenario.flood / 1024; i++) {
    if (!process.stdout.write(chunk)) await new Promise((resolve) => process.stdout.once("drain", resolve));
  }
}
if (scenario.sleepMs) await new Promise((resolve) => setTimeout(resolve, scenario.sleepMs));
process.exitCode = scenario.exit ?? 0;
