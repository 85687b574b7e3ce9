import { describe, expect, it } from "@jest/globals";
import { commentableLines } from "../../src/judge/diff-lines.js";

const sorted = (lines: Set<number>) => [...lines].sort((a, b) => a - b);

describe("commentableLines", () => {
  it("gives the new side's added and context lines, never the removed ones", () => {
    const patch = [
      "@@ -10,4 +10,5 @@ function greet(name) {",
      "   const greeting = 'hello';", // 10
      "-  return greeting;",
      "+  if (!name) return greeting;", // 11
      "+  return greeting + name;", // 12
      "   // done", // 13
      " }", // 14
    ].join("\n");

    expect(sorted(commentableLines(patch))).toEqual([10, 11, 12, 13, 14]);
  });

  it("follows each hunk's own start line", () => {
    const patch = "@@ -1,2 +1,2 @@\n-a\n+A\n b\n@@ -40,3 +40,2 @@ tail\n x\n-y\n z";

    expect(sorted(commentableLines(patch))).toEqual([1, 2, 40, 41]);
  });

  it("reads a hunk header without counts as one line, and a new file from line 1", () => {
    expect(sorted(commentableLines("@@ -3 +3 @@\n-old\n+new"))).toEqual([3]);
    expect(sorted(commentableLines("@@ -0,0 +1,3 @@\n+one\n+two\n+three"))).toEqual([1, 2, 3]);
  });

  it("does not count the 'No newline at end of file' marker as a line", () => {
    const patch =
      "@@ -1,2 +1,3 @@\n a\n-b\n\\ No newline at end of file\n+b\n+c\n\\ No newline at end of file";

    expect(sorted(commentableLines(patch))).toEqual([1, 2, 3]);
  });

  it("stops at the hunk's end, so a trailing line that looks like an added one is not taken", () => {
    expect(sorted(commentableLines("@@ -1 +1 @@\n-a\n+b\n+not in the hunk\n"))).toEqual([1]);
  });

  it("takes an empty line inside a hunk for a context line whose space was trimmed", () => {
    expect(sorted(commentableLines("@@ -1,3 +1,3 @@\n a\n\n-c\n+C"))).toEqual([1, 2, 3]);
  });

  it("offers no line when there is no patch (a binary or very large file)", () => {
    expect(commentableLines(undefined).size).toBe(0);
    expect(commentableLines("").size).toBe(0);
  });
});
