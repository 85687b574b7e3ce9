import { describe, expect, it } from "@jest/globals";
import { commandHelp } from "../../src/app/commands/command-help.js";

const ZWSP = "\u200b";
const base = { agents: ["claude", "codex"], labelPrefix: "agent:" };

describe("commandHelp", () => {
  it("lists the pull request commands, one line each, and the configured agents", () => {
    const help = commandHelp({ ...base, where: "pull" });

    expect(help).toBe(
      [
        "Commands, each at the start of a line in a comment:",
        "- `/agent <feedback>`: the agent revises this pull request with your feedback",
        "- `/agent use <agent> [feedback]`: another agent revises this pull request",
        "- `/agent retry`: run the last attempt again",
        "- `/agent stop`: stop the agents working here",
        "- `/agent judge`: ask the judge to review the pull request again",
        "- `/agent status`: show what each agent is doing",
        "- `/agent help`: show this list",
        "",
        "Agents: `claude`, `codex`. A label such as `agent:claude` on an issue starts one too.",
      ].join("\n"),
    );
  });

  it("leaves out the pull-request-only commands on an issue and shows run there", () => {
    const help = commandHelp({ ...base, where: "issue" });

    expect(help).toContain("`/agent run <agent> [instructions]`: start an agent on this issue");
    expect(help).not.toContain("`/agent <feedback>`");
    expect(help).not.toContain("/agent use");
    expect(help).not.toContain("/agent judge");
  });

  it("lists races on an issue only, where they start", () => {
    expect(commandHelp({ ...base, where: "issue" })).toContain("/agent race <agent> <agent>");
    expect(commandHelp({ ...base, where: "issue" })).toContain("/agent pick <agent>");
    expect(commandHelp({ ...base, where: "pull" })).not.toContain("/agent race");
    expect(commandHelp({ ...base, where: "pull" })).not.toContain("/agent pick");
  });

  it("starts with the problem when there is one", () => {
    const help = commandHelp({ ...base, where: "pull", problem: '"stpo" is not a command' });

    expect(help.split("\n")[0]).toBe('⚠️ "stpo" is not a command');
    expect(help.split("\n")[1]).toBe("");
  });

  it("shows no problem line for a blank problem", () => {
    expect(commandHelp({ ...base, where: "pull", problem: " \n " })).toBe(
      commandHelp({ ...base, where: "pull" }),
    );
  });

  it("renders a hostile problem as plain text: no mentions, links, HTML or new Markdown blocks", () => {
    const help = commandHelp({
      ...base,
      where: "pull",
      problem: '"@everyone" <img src=x onerror=alert(1)> [click](https://e.vil) fixes #1\n\n# Heading\n```',
    });
    const first = help.split("\n")[0] ?? "";

    expect(first).toContain(`@${ZWSP}everyone`);
    expect(first).toContain(`#${ZWSP}1`);
    expect(first).toContain("\\<img");
    expect(first).toContain("\\[click\\]\\(https\\://e\\.vil\\)");
    expect(first).toContain("\\# Heading \\`\\`\\`");
    expect(first).not.toMatch(/@everyone|(?<!\\)[<[(]/);
    expect(help.split("\n")[1]).toBe("");
  });

  it("cuts a very long problem", () => {
    const help = commandHelp({ ...base, where: "pull", problem: "x".repeat(10_000) });

    expect((help.split("\n")[0] ?? "").length).toBeLessThan(320);
  });

  it("shows agent names and the label prefix as code, even when they hold backticks", () => {
    const help = commandHelp({ agents: ["we`ird", "@team"], labelPrefix: "run`", where: "issue" });

    expect(help).toContain("Agents: ``we`ird``, `@team`.");
    expect(help).toContain("A label such as ``run`we`ird`` on an issue");
  });

  it("says when no agents are configured", () => {
    const help = commandHelp({ agents: [], labelPrefix: "agent:", where: "issue" });

    expect(help).toContain("No agents are configured here yet");
    expect(help).toContain("`agent:<agent>`");
  });
});
