import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The scripted test agent, run for real. */
export const SCRIPTED_AGENT = new URL("../../scripts/scripted-agent.mjs", import.meta.url).pathname;

/** git with no user or system config, committing as a fixed person. */
export const GIT_ENV = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: "/nonexistent",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Upstream",
  GIT_AUTHOR_EMAIL: "upstream@example.com",
  GIT_COMMITTER_NAME: "Upstream",
  GIT_COMMITTER_EMAIL: "upstream@example.com",
};

export function gitIn(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8" });
}

/** Writes `files` into `dir` (creating folders) and commits them all; returns the new head. */
export function commitFiles(dir: string, files: Record<string, string>, message = "update"): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  gitIn(dir, "add", "-A");
  gitIn(dir, "commit", "--quiet", "-m", message);
  return gitIn(dir, "rev-parse", "HEAD").trim();
}

/** A new repository in `dir` on `main` with one commit of `files`; returns the head. */
export function createRepo(dir: string, files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  gitIn(dir, "init", "--quiet", "--initial-branch=main");
  return commitFiles(dir, files, "initial");
}

/** A prompt file's text with a flotilla-script block. */
export function scriptPrompt(script: string, fence = "```"): string {
  return `Please do this.\n\n${fence}flotilla-script\n${script.trim()}\n${fence}\n`;
}
