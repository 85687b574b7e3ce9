import { describe, expect, it } from "@jest/globals";
import type { AgentConfig } from "../../../src/app/config/schema.js";
import { command } from "../../../src/runner/adapters/command.js";
import { describeAdapterContract } from "../adapter-contract.js";

const ctx = {
  promptFile: "/tmp/flotilla-session-x/prompt.md",
  prompt: "Fix it.",
  workspace: "/srv/worktrees/1/task-1",
  home: "/tmp/flotilla-session-x/home",
};

function agent(overrides: Partial<AgentConfig>): AgentConfig {
  return { adapter: "command", timeout: 60_000, maxOutput: 1024, ...overrides } as AgentConfig;
}

describe("adapter: command", () => {
  it("fills {prompt_file}, {workspace} and {model} into a command's arguments", () => {
    const { argv } = command.invocation({
      ...ctx,
      agent: agent({
        command: ["my-agent", "--prompt={prompt_file}", "-C", "{workspace}", "--model", "{model}"],
        model: "m-1",
      }),
    });

    expect(argv).toEqual([
      "my-agent",
      "--prompt=/tmp/flotilla-session-x/prompt.md",
      "-C",
      "/srv/worktrees/1/task-1",
      "--model",
      "m-1",
    ]);
  });

  it("fills an unset model as an empty string", () => {
    expect(
      command.invocation({ ...ctx, agent: agent({ command: ["a", "{model}", "m={model}"] }) }).argv,
    ).toEqual(["a", "", "m="]);
  });

  it("keeps each argument one argument, with no shell to split or expand it", () => {
    const argv = (c: string[], promptFile = ctx.promptFile) =>
      command.invocation({ ...ctx, promptFile, agent: agent({ command: c }) }).argv;

    expect(argv(["node", "agent.mjs", "$HOME; rm -rf / `id`", "{unknown}"])).toEqual([
      "node",
      "agent.mjs",
      "$HOME; rm -rf / `id`",
      "{unknown}",
    ]);
    expect(argv(["x", "{prompt_file}"], "/tmp/with space/{model}.md")).toEqual([
      "x",
      "/tmp/with space/{model}.md",
    ]);
  });

  it("says what is missing when there is no command", () => {
    expect(() => command.invocation({ ...ctx, agent: agent({}) })).toThrow(/needs `command`/);
  });

  it("reads plain output: its last lines are the summary, and it reports no usage", () => {
    const reader = command.reader();
    for (const line of ["working", "", "Changed greet.js.", "Done."]) reader.line(line);

    expect(reader.finish()).toEqual({ summary: "working\nChanged greet.js.\nDone.", usage: {} });
  });

  it("adds up the usage a program reports in `flotilla-usage {…}` lines, and ignores what is not a number", () => {
    const reader = command.reader();
    for (const line of [
      'flotilla-usage {"costUsd": 0.25, "turns": 2, "inputTokens": 1000}',
      "flotilla-usage not json",
      'flotilla-usage {"costUsd": 0.5, "turns": "many", "outputTokens": -3, "model": "x"}',
      '  flotilla-usage {"costUsd": 100}',
    ])
      reader.line(line);

    expect(reader.finish().usage).toEqual({ costUsd: 0.75, turns: 2, inputTokens: 1000 });
  });
});

describeAdapterContract("command", {
  success: {
    stdout: ["Edited fix.txt", "Fixed the bug."],
    summary: "Edited fix.txt\nFixed the bug.",
    usage: {},
  },
  agentError: {
    stdout: ["thinking"],
    stderr: ["error: the model API answered 500"],
    exit: 3,
    message: /exited with code 3/,
  },
});
