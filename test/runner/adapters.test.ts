import { describe, expect, it } from "@jest/globals";
import type { AgentConfig } from "../../src/app/config/schema.js";
import { AdapterUnavailableError, agentInvocation } from "../../src/runner/adapters/index.js";

const ctx = { promptFile: "/tmp/flotilla-session-x/prompt.md", workspace: "/srv/worktrees/1/task-1" };

function agent(overrides: Partial<AgentConfig>): AgentConfig {
  return { adapter: "command", timeout: 60_000, secrets: [], ...overrides } as AgentConfig;
}

describe("agentInvocation", () => {
  it("fills {prompt_file}, {workspace} and {model} into a command's arguments", () => {
    const argv = agentInvocation(
      "mine",
      agent({
        command: ["my-agent", "--prompt={prompt_file}", "-C", "{workspace}", "--model", "{model}"],
        model: "m-1",
      }),
      ctx,
    );

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
    expect(agentInvocation("mine", agent({ command: ["a", "{model}", "m={model}"] }), ctx)).toEqual([
      "a",
      "",
      "m=",
    ]);
  });

  it("keeps each argument one argument, with no shell to split or expand it", () => {
    const argv = agentInvocation(
      "mine",
      agent({ command: ["node", "agent.mjs", "$HOME; rm -rf / `id`", "{unknown}"] }),
      { promptFile: "/tmp/with space/{model}.md", workspace: "/w" },
    );

    expect(argv).toEqual(["node", "agent.mjs", "$HOME; rm -rf / `id`", "{unknown}"]);
    expect(
      agentInvocation("mine", agent({ command: ["x", "{prompt_file}"] }), {
        promptFile: "/tmp/with space/{model}.md",
        workspace: "/w",
      }),
    ).toEqual(["x", "/tmp/with space/{model}.md"]);
  });

  it("says which agent is missing its command", () => {
    expect(() => agentInvocation("broken", agent({}), ctx)).toThrow(/agent "broken".*command/);
  });

  it.each(["claude", "codex", "gemini", "opencode", "aider", "goose"] as const)(
    "refuses the %s adapter, not written yet, with a permanent error that says what to configure",
    (adapter) => {
      const invoke = () => agentInvocation(adapter, agent({ adapter }), ctx);

      expect(invoke).toThrow(AdapterUnavailableError);
      expect(invoke).toThrow(
        `the ${adapter} adapter is not available yet; configure an agent with \`adapter: command\``,
      );
      try {
        invoke();
      } catch (error) {
        expect((error as AdapterUnavailableError).permanent).toBe(true);
      }
    },
  );
});
