import { describe, expect, it } from "@jest/globals";
import { COMMAND_WORDS, MAX_COMMAND_TEXT, parseCommand } from "../../src/app/commands/parse-command.js";

const onPull = (body: string) => parseCommand(body, "pull");
const onIssue = (body: string) => parseCommand(body, "issue");

describe("parseCommand: finding the command", () => {
  it("finds no command in a comment without one", () => {
    expect(onPull("Looks good to me, thanks!")).toBeUndefined();
    expect(onPull("")).toBeUndefined();
  });

  it("only counts /agent as a whole word: /agents and /agentx are not commands", () => {
    expect(onPull("/agents stop")).toBeUndefined();
    expect(onPull("/agentx stop")).toBeUndefined();
    expect(onPull("/agent-stop")).toBeUndefined();
  });

  it("only counts /agent at the start of a line", () => {
    expect(onPull("please /agent stop")).toBeUndefined();
    expect(onPull("`/agent stop`")).toBeUndefined();
  });

  it("allows up to three leading spaces, but four make an indented code block", () => {
    expect(onPull("   /agent stop")).toEqual({ kind: "stop" });
    expect(onPull("    /agent stop")).toBeUndefined();
    expect(onPull("\t/agent stop")).toBeUndefined();
  });

  it("takes the first command line and reads later ones as text", () => {
    expect(onPull("Thanks.\n/agent status\n/agent stop")).toEqual({ kind: "status" });
  });

  it("reads commands in bodies with Windows line endings", () => {
    expect(onPull("Hi\r\n/agent stop\r\n")).toEqual({ kind: "stop" });
    expect(onPull("/agent use codex\r\nfix it\r\n")).toEqual({ kind: "use", agent: "codex", text: "fix it" });
  });

  it("answers a bare /agent with help", () => {
    expect(onPull("/agent")).toEqual({ kind: "help" });
    expect(onIssue("  /agent   ")).toEqual({ kind: "help" });
  });

  it("answers /agent alone on its line with help, even when text follows on the next lines", () => {
    expect(onPull("/agent\nplease fix the tests")).toEqual({ kind: "help" });
  });

  it("reads subcommand words and /agent itself regardless of case", () => {
    expect(onPull("/AGENT Stop")).toEqual({ kind: "stop" });
    expect(onPull("/agent RACE Claude CODEX")).toEqual({ kind: "race", agents: ["claude", "codex"] });
  });

  it("ignores punctuation after a subcommand word", () => {
    expect(onPull("/agent stop!")).toEqual({ kind: "stop" });
    expect(onPull("/agent help?")).toEqual({ kind: "help" });
  });
});

describe("parseCommand: text nobody gave as a command", () => {
  it("a quoted command is not a command", () => {
    expect(onPull("> /agent stop")).toBeUndefined();
    expect(onPull(">/agent stop")).toBeUndefined();
    expect(onPull("  > /agent stop")).toBeUndefined();
  });

  it("a command in a nested quote is not a command", () => {
    expect(onPull("> > /agent stop")).toBeUndefined();
    expect(onPull(">> /agent stop")).toBeUndefined();
  });

  it("a line continuing a quoted paragraph is part of the quote, up to a blank line", () => {
    expect(onPull("> Earlier you said\n/agent stop")).toBeUndefined();
    expect(onPull("> Earlier you said\n\n/agent stop")).toEqual({ kind: "stop" });
  });

  it("finds the reply's own command below a quote reply", () => {
    expect(onPull("> /agent stop\n\n/agent status")).toEqual({ kind: "status" });
  });

  it("a command inside a backtick or tilde code fence is not a command", () => {
    expect(onPull("```\n/agent stop\n```")).toBeUndefined();
    expect(onPull("~~~sh\n/agent stop\n~~~")).toBeUndefined();
  });

  it("a shorter or different fence inside a code block does not close it", () => {
    expect(onPull("````\n```\n/agent stop\n````")).toBeUndefined();
    expect(onPull("```\n~~~\n/agent stop\n```")).toBeUndefined();
    expect(onPull("```\n/agent stop")).toBeUndefined();
  });

  it("reads a command after a closed code fence", () => {
    expect(onPull("```\nlog\n```\n/agent retry")).toEqual({ kind: "retry" });
  });

  it("a fence opened inside a quote ends with the quote", () => {
    expect(onPull("> ```\n> code\n/agent stop")).toEqual({ kind: "stop" });
  });

  it("a command inside an HTML comment is not a command", () => {
    expect(onPull("<!-- /agent stop -->")).toBeUndefined();
    expect(onPull("Fine.\n<!--\n/agent stop\n-->")).toBeUndefined();
    expect(onPull("text <!-- hidden\n/agent stop")).toBeUndefined();
  });

  it("reads a command after an HTML comment closes", () => {
    expect(onPull("<!--\nhidden\n-->\n/agent stop")).toEqual({ kind: "stop" });
    expect(onPull("<!-- a --> <!-- b\n-->\n/agent stop")).toEqual({ kind: "stop" });
  });

  it("does not take <!-- inside inline code for a comment", () => {
    expect(onPull("Use `<!--` here.\n/agent stop")).toEqual({ kind: "stop" });
  });
});

describe("parseCommand: invisible characters", () => {
  it("reads the command a person sees when zero-width characters split /agent", () => {
    expect(onPull("/a\u200bge\u200dnt stop")).toEqual({ kind: "stop" });
    expect(onPull("\ufeff/agent st\u2060op")).toEqual({ kind: "stop" });
  });

  it("does not see a command where a person sees /agentstop", () => {
    expect(onPull("/agent\u200bstop")).toBeUndefined();
    expect(onPull("/agent\u202estop")).toBeUndefined();
  });

  it("does not let invisible characters hide a quote marker's meaning", () => {
    expect(onPull("\u200b> /agent stop")).toBeUndefined();
  });

  it("removes bidi controls and tag characters from free text", () => {
    expect(onPull("/agent rename \u202efoo\u202c the \u{e0041}helper")).toEqual({
      kind: "iterate",
      text: "rename foo the helper",
    });
  });
});

describe("parseCommand: subcommands", () => {
  it.each(["retry", "stop", "judge", "status", "help"] as const)(
    "reads /agent %s and ignores text after it",
    (kind) => {
      expect(onPull(`/agent ${kind}`)).toEqual({ kind });
      expect(onIssue(`/agent ${kind} please, now\nmore lines`)).toEqual({ kind });
    },
  );

  it.each(["use", "run"] as const)("reads /agent %s with a lowercased agent and optional text", (kind) => {
    expect(onPull(`/agent ${kind} Codex`)).toEqual({ kind, agent: "codex", text: "" });
    expect(onPull(`/agent ${kind} gemini-2 add tests\nfor the parser`)).toEqual({
      kind,
      agent: "gemini-2",
      text: "add tests\nfor the parser",
    });
  });

  it.each(["use", "run", "pick"] as const)("answers /agent %s without an agent as bad usage", (word) => {
    expect(onPull(`/agent ${word}`)).toEqual({
      kind: "unknown",
      word,
      problem: `"/agent ${word}" needs the name of an agent.`,
    });
  });

  it("does not take the next line for the agent's name", () => {
    expect(onPull("/agent use\ncodex")).toMatchObject({ kind: "unknown", word: "use" });
  });

  it("names a bad agent name in the problem", () => {
    const command = onPull("/agent use cl@ude fix it");
    expect(command).toMatchObject({ kind: "unknown", word: "use" });
    expect(command?.kind === "unknown" && command.problem).toContain('"cl@ude" is not an agent name');
    expect(onPull("/agent run -rf")).toMatchObject({ kind: "unknown", word: "run" });
  });

  it("cuts a very long bad name in the problem", () => {
    const command = onPull(`/agent pick ${"x".repeat(500)}!@`);
    expect(command?.kind === "unknown" && command.problem.length).toBeLessThan(150);
  });

  it("reads /agent pick with one agent, ignoring words after it", () => {
    expect(onPull("/agent pick Codex.")).toEqual({ kind: "pick", agent: "codex" });
    expect(onIssue("/agent pick claude it is cleaner")).toEqual({ kind: "pick", agent: "claude" });
  });

  it("reads /agent race with 2 to 5 agents, separated by spaces or commas", () => {
    expect(onIssue("/agent race claude codex gemini")).toEqual({
      kind: "race",
      agents: ["claude", "codex", "gemini"],
    });
    expect(onIssue("/agent race claude, codex.")).toEqual({ kind: "race", agents: ["claude", "codex"] });
    expect(onIssue("/agent race a b c d e")).toEqual({ kind: "race", agents: ["a", "b", "c", "d", "e"] });
  });

  it("counts an agent named twice in a race once", () => {
    expect(onIssue("/agent race claude codex claude")).toEqual({ kind: "race", agents: ["claude", "codex"] });
    expect(onIssue("/agent race claude Claude")).toMatchObject({ kind: "unknown", word: "race" });
  });

  it("refuses a race of fewer than 2 or more than 5 agents", () => {
    expect(onIssue("/agent race")).toMatchObject({ kind: "unknown", word: "race" });
    expect(onIssue("/agent race claude")).toMatchObject({ kind: "unknown", word: "race" });
    expect(onIssue("/agent race a b c d e f")).toMatchObject({ kind: "unknown", word: "race" });
  });

  it("refuses a race with a bad agent name, naming it", () => {
    const command = onIssue("/agent race claude <b>x</b>");
    expect(command).toMatchObject({ kind: "unknown", word: "race" });
    expect(command?.kind === "unknown" && command.problem).toContain('"<b>x</b>"');
  });

  it("does not read race agents from the following lines", () => {
    expect(onIssue("/agent race claude codex\nthanks!")).toEqual({
      kind: "race",
      agents: ["claude", "codex"],
    });
  });
});

describe("parseCommand: free text", () => {
  it("reads free text on a pull request as feedback for another pass", () => {
    expect(onPull("/agent please handle the empty list")).toEqual({
      kind: "iterate",
      text: "please handle the empty list",
    });
  });

  it("takes the lines after the command line into the feedback, not the lines before it", () => {
    expect(onPull("Nice start.\n/agent two things:\n- rename foo\n- add a test\n")).toEqual({
      kind: "iterate",
      text: "two things:\n- rename foo\n- add a test",
    });
  });

  it("keeps fenced code pasted after the command, quotes included", () => {
    const body = "/agent the build fails:\n```\n> npm test\nError: boom\n```";
    expect(onPull(body)).toEqual({ kind: "iterate", text: body.slice("/agent ".length) });
  });

  it("drops block-quoted lines after the command from the feedback", () => {
    expect(onPull("/agent do what the reviewer asked\n> make it faster\n> > and smaller\n\nthanks")).toEqual({
      kind: "iterate",
      text: "do what the reviewer asked\n\nthanks",
    });
  });

  it("keeps the text after /agent use or run and its agent, with the following lines", () => {
    expect(onPull("/agent use codex\n> quoted\n\nfix the flaky test")).toEqual({
      kind: "use",
      agent: "codex",
      text: "fix the flaky test",
    });
  });

  it(`cuts feedback at ${MAX_COMMAND_TEXT} characters`, () => {
    const command = onPull(`/agent fix this:\n${"log line\n".repeat(2_000)}`);
    expect(command?.kind).toBe("iterate");
    expect(command?.kind === "iterate" && command.text.length).toBe(MAX_COMMAND_TEXT);
    expect(command?.kind === "iterate" && command.text.endsWith("…")).toBe(true);
  });

  it("answers free text on an issue as bad usage: there is no pull request to revise", () => {
    const command = onIssue("/agent please fix the tests");
    expect(command).toMatchObject({ kind: "unknown", word: "please" });
    expect(command?.kind === "unknown" && command.problem).toMatch(/pull request/);
    expect(onIssue("/agent stpo")).toMatchObject({ kind: "unknown", word: "stpo" });
  });

  it("answers a lone unknown word on a pull request as a probable typo, listing the commands", () => {
    const command = onPull("/agent stpo");
    expect(command).toMatchObject({ kind: "unknown", word: "stpo" });
    for (const word of COMMAND_WORDS) expect(command?.kind === "unknown" && command.problem).toContain(word);
  });

  it("still reads a lone word as a typo when only quoted lines follow it", () => {
    expect(onPull("/agent stpo\n> quoted")).toMatchObject({ kind: "unknown", word: "stpo" });
  });

  it("reads one word followed by more lines as feedback", () => {
    expect(onPull("/agent rename:\nfoo to bar")).toEqual({ kind: "iterate", text: "rename:\nfoo to bar" });
  });

  it("reads feedback that starts with a subcommand word as that subcommand", () => {
    // Documented behaviour, not a wish: "stop" first means the stop command, whatever follows.
    expect(onPull("/agent stop using globals")).toEqual({ kind: "stop" });
  });
});
