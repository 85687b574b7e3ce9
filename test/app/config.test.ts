import { readFileSync } from "node:fs";
import { describe, expect, it } from "@jest/globals";
import { configJsonSchema, configReferenceMarkdown } from "../../scripts/config-docs.js";
import {
  configProblemsMessage,
  parseRepoConfig,
  validateRepoConfig,
} from "../../src/app/config/validate-config.js";
import { tableCells } from "../helpers/markdown.js";

function problemsOf(text: string) {
  const result = parseRepoConfig(text);
  if (result.ok) throw new Error("expected the config to be refused");
  return result.problems;
}

describe("the repository config (.github/flotilla.yml)", () => {
  it("gives every key its default when the file is empty or absent", () => {
    const result = validateRepoConfig(undefined);
    expect(result).toEqual({
      ok: true,
      config: expect.objectContaining({
        backend: "local",
        labelPrefix: "agent:",
        concurrency: { perRepo: 3 },
        protectedPaths: expect.arrayContaining([".github/workflows/**", ".claude/**", ".mcp.json"]),
        limits: { maxFilesChanged: 200, maxBytesChanged: 2 * 1024 * 1024, partialWork: "branch" },
      }),
    });
    if (!result.ok) return;
    expect(Object.keys(result.config.agents)).toEqual([
      "claude",
      "codex",
      "gemini",
      "opencode",
      "aider",
      "goose",
    ]);
    // No `secrets`: the adapter's own (ANTHROPIC_API_KEY for claude) apply.
    expect(result.config.agents.claude).toEqual({
      adapter: "claude",
      timeout: 45 * 60_000,
      maxOutput: 32 * 1024 * 1024,
    });
    expect(result.config.prompt).toEqual({ comments: "writers", maxSize: 64 * 1024 });
  });

  it("reads durations and sizes as people write them", () => {
    const result = parseRepoConfig(
      "agents:\n  fixer: { adapter: command, command: [./fix.sh, '{prompt_file}'], timeout: 90s, maxOutput: 4MB, maxTurns: 30, maxBudgetUsd: 2.5 }\nlimits: { maxBytesChanged: 512KB }\n",
    );
    expect(result.ok && result.config.agents.fixer).toEqual({
      adapter: "command",
      command: ["./fix.sh", "{prompt_file}"],
      timeout: 90_000,
      maxOutput: 4 * 1024 * 1024,
      maxTurns: 30,
      maxBudgetUsd: 2.5,
    });
    expect(result.ok && result.config.limits.maxBytesChanged).toBe(512 * 1024);
  });

  it("ignores `_extends`, which Probot's loader has already applied", () => {
    expect(validateRepoConfig({ _extends: ".github", backend: "actions" })).toMatchObject({
      ok: true,
      config: { backend: "actions" },
    });
  });

  it("names the line and key of each problem, and what is expected", () => {
    const text = [
      "backend: local",
      "agents:",
      "  claude: { adapter: clod }",
      "  fixer:",
      "    adapter: command",
      "concurrency:",
      "  perRepo: 0",
      "colour: blue",
    ].join("\n");
    expect(problemsOf(text)).toEqual([
      { key: "agents.claude.adapter", line: 3, message: expect.stringContaining('expected one of "claude"') },
      { key: "agents.fixer.command", line: 5, message: expect.stringContaining("needs `command`") },
      { key: "concurrency.perRepo", line: 7, message: expect.stringContaining(">=1") },
      { key: "colour", line: 8, message: 'unknown key "colour"' },
    ]);
  });

  it("reads what becomes of partial work, and names the choices for one it does not know", () => {
    const result = parseRepoConfig("limits:\n  partialWork: draft-pr\n");
    expect(result.ok && result.config.limits.partialWork).toBe("draft-pr");
    expect(problemsOf("limits:\n  partialWork: keep\n")).toEqual([
      {
        key: "limits.partialWork",
        line: 2,
        message: expect.stringContaining('expected one of "branch"|"draft-pr"|"discard"'),
      },
    ]);
  });

  it("explains a duration or size it cannot read", () => {
    const [problem] = problemsOf("agents:\n  claude:\n    adapter: claude\n    timeout: 45 minutes\n");
    expect(problem).toEqual({
      key: "agents.claude.timeout",
      line: 4,
      message: expect.stringContaining('"45m"'),
    });
  });

  it("refuses to give an agent one of Flotilla's own secrets, naming the line", () => {
    const [problem] = problemsOf(
      "agents:\n  leaky:\n    adapter: claude\n    secrets: [ANTHROPIC_API_KEY, PRIVATE_KEY]\n",
    );
    expect(problem).toMatchObject({ line: 4, key: "agents.leaky.secrets.1" });
    expect(problem?.message).toContain("not one of Flotilla's own settings");
  });

  it("names a model API URL that is not http(s), a limit out of range and an unknown comment policy", () => {
    expect(
      problemsOf(
        "agents:\n  claude:\n    adapter: claude\n    baseUrl: file:///etc/passwd\n    maxTurns: 0\nprompt:\n  comments: anyone\n",
      ).map((p) => [p.key, p.line]),
    ).toEqual([
      ["agents.claude.baseUrl", 4],
      ["agents.claude.maxTurns", 5],
      ["prompt.comments", 7],
    ]);
  });

  it("names a setting the agent's CLI cannot run with, on its key, before anything runs", () => {
    expect(
      problemsOf(
        "agents:\n  oc:\n    adapter: opencode\n    model: claude-sonnet-4-5\n  g:\n    adapter: goose\n    model: mistral/large\n    baseUrl: https://llm.example.test\n",
      ),
    ).toEqual([
      { key: "agents.oc.model", line: 4, message: expect.stringContaining("provider/model") },
      { key: "agents.g.baseUrl", line: 8, message: expect.stringContaining("no base URL setting") },
    ]);
  });

  it("reports a YAML syntax error with its line", () => {
    const [extraBrace] = problemsOf("backend: local\nagents: {claude: {adapter: claude}}}\nfoo: 1\n");
    expect(extraBrace?.line).toBe(2);
    expect(extraBrace?.message).toMatch(/^not valid YAML: Unexpected flow-map-end token/);
    const [twice] = problemsOf("backend: local\nbackend: actions\n");
    expect(twice).toEqual({ key: "", line: 2, message: "not valid YAML: Map keys must be unique" });
  });

  it("writes one comment that names the file, each line and key, and what to do", () => {
    const message = configProblemsMessage(problemsOf("backend: cloud\n"));
    expect(message).toContain("Flotilla could not use `.github/flotilla.yml`, so nothing was started:");
    expect(message).toContain('- line 1, `backend`: Invalid option: expected one of "local"|"actions"');
    expect(message).toContain("Fix the file and add the label again.");
  });

  it("has its reference (docs/config.md) and JSON Schema generated from the schema (`npm run config:docs`)", () => {
    const docs = readFileSync(new URL("../../docs/config.md", import.meta.url), "utf8");
    expect(tableCells(docs)).toEqual(tableCells(configReferenceMarkdown()));
    const schema = JSON.parse(
      readFileSync(new URL("../../docs/flotilla.schema.json", import.meta.url), "utf8"),
    );
    expect(schema).toEqual(configJsonSchema());
  });
});
