import { describe, expect, it } from "@jest/globals";
import { formatDuration } from "../../src/publish/format-duration.js";
import {
  breakReferences,
  cleanText,
  codeFence,
  inlineCode,
  lastLines,
  plainText,
  truncate,
} from "../../src/publish/markdown.js";
import { fencedBlocks } from "./fenced-blocks.js";

const ZWSP = "\u200b";

describe("Markdown for untrusted text", () => {
  it("fences text with a fence longer than any backtick run inside, so nothing closes it early", () => {
    const hostile = "before\n```\n<!-- hidden -->\n`````\n  ````  \nafter";

    const fenced = codeFence(hostile);

    expect(fenced.startsWith("``````text\n")).toBe(true);
    expect(fencedBlocks(`${fenced}\n\n<b>outside</b>`)).toEqual({
      content: hostile,
      outside: "\n<b>outside</b>",
    });
  });

  it("uses a plain three-backtick fence for text without backticks", () => {
    expect(codeFence("npm test\nok")).toBe("```text\nnpm test\nok\n```");
  });

  it("shows a path with backticks, spaces and line breaks literally as inline code", () => {
    expect(inlineCode("src/a.ts")).toBe("`src/a.ts`");
    expect(inlineCode("a``b")).toBe("```a``b```");
    expect(inlineCode("`edge`")).toBe("`` `edge` ``");
    expect(inlineCode("two\n\nlines")).toBe("`two\\n\\nlines`");
  });

  it("renders untrusted text as plain text: no HTML, no Markdown, no mentions, no issue references", () => {
    const text = plainText("Fixes #5 for @alice <!-- hide --> **bold** [x](http://e.vil) GH-7\n# Title");

    expect(text).toBe(
      `Fixes \\#${ZWSP}5 for @${ZWSP}alice \\<\\!\\-\\- hide \\-\\-\\> \\*\\*bold\\*\\* \\[x\\]\\(http\\://e\\.vil\\) GH${ZWSP}\\-7\n\\# Title`,
    );
  });

  it("breaks mentions and references in plain-text fields such as titles, leaving other text alone", () => {
    expect(breakReferences("fixes #5, cc @team/leads, see GH-9 and C# 12")).toBe(
      `fixes #${ZWSP}5, cc @${ZWSP}team/leads, see GH${ZWSP}-9 and C# 12`,
    );
  });

  it("removes terminal escapes, control characters and invisible characters, keeping what a terminal shows last", () => {
    expect(cleanText("\u001b[31mred\u001b[0m ok\r\nstep 1\rstep 2\u0000\u202eevil\u200b")).toBe(
      "red ok\nstep 2evil",
    );
  });

  it("truncates without splitting a character made of two UTF-16 units", () => {
    expect(truncate("abcdef", 10)).toBe("abcdef");
    expect(truncate("abcdef", 4)).toBe("abc…");
    expect(truncate("ab😀cd", 4)).toBe("ab…");
  });

  it("keeps the last lines of a log and counts what it left out", () => {
    expect(lastLines("1\n2\n3\n4\n", 2)).toEqual({ lines: ["3", "4"], omitted: 2 });
    expect(lastLines("", 2)).toEqual({ lines: [], omitted: 0 });
    expect(lastLines("x".repeat(500), 1, 10).lines).toEqual([`${"x".repeat(9)}…`]);
  });

  it("writes durations as people read them", () => {
    expect(formatDuration(200)).toBe("under a second");
    expect(formatDuration(45_000)).toBe("45 s");
    expect(formatDuration(192_000)).toBe("3 min 12 s");
    expect(formatDuration(120_000)).toBe("2 min");
    expect(formatDuration(3_900_000)).toBe("1 h 5 min");
    expect(formatDuration(7 * 86_400_000)).toBe("7 d");
    expect(formatDuration(90_000_000)).toBe("1 d 1 h");
  });
});
