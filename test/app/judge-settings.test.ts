import { describe, expect, it } from "@jest/globals";
import { judgeSettings } from "../../src/app/config/judge-settings.js";
import { validateRepoConfig } from "../../src/app/config/validate-config.js";

function config(raw: unknown) {
  const result = validateRepoConfig(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

describe("who judges an agent's pull request", () => {
  it("is another agent of a different family by default: another CLI first", () => {
    const built = config({});
    expect(judgeSettings(built, "claude")?.name).toBe("aider");
    const two = config({
      agents: { claude: { adapter: "claude" }, codex: { adapter: "codex", model: "gpt-5" } },
    });
    expect(judgeSettings(two, "claude")).toMatchObject({ name: "codex", sameAsAuthor: false });
    expect(judgeSettings(two, "codex")?.name).toBe("claude");
  });

  it("takes the same CLI with another model (or program) when no other CLI is configured", () => {
    const models = config({
      agents: {
        opus: { adapter: "claude", model: "claude-opus-4" },
        opus2: { adapter: "claude", model: "claude-opus-4" },
        sonnet: { adapter: "claude", model: "claude-sonnet-4" },
      },
    });
    expect(judgeSettings(models, "opus")?.name).toBe("sonnet");
  });

  it("falls back to the author itself, and says so, when it is the only agent", () => {
    const alone = config({ agents: { claude: { adapter: "claude" } } });
    expect(judgeSettings(alone, "claude")).toMatchObject({ name: "claude", sameAsAuthor: true });
  });

  it("is the configured judge, with its rounds and CI wait, and nothing when judging is off", () => {
    const set = config({
      agents: { claude: { adapter: "claude" }, gemini: { adapter: "gemini" }, codex: { adapter: "codex" } },
      judge: { agent: "gemini", maxRounds: 1, ciTimeout: "5m" },
    });
    expect(judgeSettings(set, "claude")).toMatchObject({
      name: "gemini",
      agent: { adapter: "gemini" },
      maxRounds: 1,
      ciTimeoutMs: 300_000,
    });
    expect(judgeSettings(config({ judge: { enabled: false } }), "claude")).toBeUndefined();
  });

  it("refuses a judge that names no configured agent, saying where", () => {
    const result = validateRepoConfig({
      agents: { claude: { adapter: "claude" } },
      judge: { agent: "codex" },
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      expect.objectContaining({ key: "judge.agent", message: expect.stringContaining("names no agent") }),
    ]);
  });
});
