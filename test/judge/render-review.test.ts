import { describe, expect, it } from "@jest/globals";
import type { CiReport } from "../../src/judge/ci-report.js";
import { checkAnnotations, inlineComments, renderReviewBody } from "../../src/judge/render-review.js";
import type { Verdict } from "../../src/judge/verdict.js";
import { fencedBlocks } from "../publish/fenced-blocks.js";

const ZWSP = "\u200b";
const sha = "0123456789abcdef0123456789abcdef01234567";
const noCi: CiReport = { checks: [] };

type Finding = Verdict["findings"][number];
const finding = (message: string, extra: Partial<Finding> = {}): Finding => ({
  severity: "major",
  message,
  ...extra,
});

const verdict: Verdict = {
  decision: "request_changes",
  summary: "The French greeting works, but English is no longer the default.",
  criteria: [
    { criterion: "`greet --lang fr` prints bonjour", met: true, evidence: "test/greet.test.js passes" },
    { criterion: "English stays the default", met: false, evidence: "greet.js:3 defaults to fr" },
  ],
  findings: [
    finding("Default back to en.", { severity: "blocker", file: "greet.js", line: 3 }),
    finding("Add a test."),
  ],
};

function body(v: Verdict = verdict, extra: Partial<Parameters<typeof renderReviewBody>[1]> = {}): string {
  return renderReviewBody(v, { sha, judge: "codex", ci: noCi, inlineCount: 0, ...extra });
}

describe("renderReviewBody", () => {
  it("heads the review with the decision and the short commit, then the summary", () => {
    expect(body().split("\n\n").slice(0, 3)).toEqual([
      "### ❌ Changes requested at `0123456`",
      "Reviewed by the judge `codex`.",
      "The French greeting works, but English is no longer the default\\.",
    ]);
    expect(body({ ...verdict, decision: "approve" })).toMatch(/^### ✅ Approved at/);
    expect(body({ ...verdict, decision: "inconclusive" })).toMatch(/^### ❔ Inconclusive at/);
  });

  it("shows the criteria as a table, one row each, with whether it is met", () => {
    expect(body()).toContain(
      [
        "| Criterion | Met | Evidence |",
        "| --- | --- | --- |",
        String.raw`| \`greet \-\-lang fr\` prints bonjour | ✅ | test/greet\.test\.js passes |`,
        String.raw`| English stays the default | ❌ | greet\.js\:3 defaults to fr |`,
      ].join("\n"),
    );
  });

  it("keeps a cell in its row: pipes are escaped and line breaks become <br>", () => {
    const text = body({
      ...verdict,
      criteria: [{ criterion: "a | b", met: true, evidence: "one\ntwo\n\nthree" }],
    });

    expect(text).toContain("| a \\| b | ✅ | one<br>two<br>three |");
  });

  it("lists the findings with severity and place, and says how many are inline instead", () => {
    const text = body(verdict, { inlineCount: 2 });

    expect(text).toContain("#### Findings\n\n2 findings are posted inline, on the diff.");
    expect(text).toContain("- **blocker** `greet.js:3`: Default back to en\\.\n- **major**: Add a test\\.");
    expect(body({ ...verdict, findings: [] }, { inlineCount: 1 })).toContain("1 finding is posted inline");
    expect(body({ ...verdict, findings: [] })).not.toContain("Findings");
  });

  it("names CI still pending, and lists Flotilla's notes", () => {
    const ci: CiReport = {
      checks: [
        { name: "build", kind: "check", state: "pending" },
        { name: "lint", kind: "check", state: "passed" },
      ],
    };
    const text = body(verdict, { ci, notes: ["The judge is the author's own agent."] });

    expect(text).toContain("CI still pending: `build`.");
    expect(text).not.toContain("`lint`");
    expect(text).toContain("#### Notes\n\n- The judge is the author's own agent\\.");
  });

  it("shows what the judge wrote as text: no mentions, references, HTML, links or images", () => {
    const evil =
      "@octocat fixes #1 <img src=x onerror=alert(1)> [click](https://evil.test) ![x](https://evil.test/p.png) <!--";
    const text = body({
      decision: "approve",
      summary: evil,
      criteria: [{ criterion: evil, met: true, evidence: evil }],
      findings: [finding(evil, { file: "a.ts", line: 1 })],
    });

    expect(text).not.toMatch(/@octocat|#1/);
    expect(text).toContain(`@${ZWSP}octocat`);
    // Every character that could open a tag, a comment, a link or an image is escaped.
    expect(text).not.toMatch(/(?<!\\)[<[\]!()]/);
    expect(text).toContain("\\<img src\\=x");
  });

  it("keeps a finding's later lines in its list item, where they cannot start a heading or a fence", () => {
    const text = body({ ...verdict, findings: [finding("First.\n# Heading\n```\ncode")] });

    expect(text).toContain("- **major**: First\\.\n  \\# Heading\n  \\`\\`\\`\n  code");
    expect(fencedBlocks(text).content).toBe("");
  });

  it("stays under GitHub's size limit with the largest verdict, saying what it left out", () => {
    const big = "é|@".repeat(4_000);
    const text = body({
      decision: "request_changes",
      summary: big,
      criteria: Array.from({ length: 50 }, () => ({ criterion: big, met: false, evidence: big })),
      findings: Array.from({ length: 100 }, () => finding(big, { file: big, line: 1 })),
    });

    expect(text.length).toBeLessThan(65_536 - 1_000);
    expect(text).toMatch(/…and \d+ more criteria, left out/);
    expect(text).toMatch(/…and \d+ more findings, left out/);
  });
});

describe("inlineComments", () => {
  const commentable = new Map([["src/greet.js", new Set([3, 4])]]);

  it("posts findings on a line the diff shows as comments on the new side, the rest stay for the body", () => {
    const onDiff = finding("Default back to en.", { severity: "blocker", file: "src/greet.js", line: 3 });
    const offDiff = finding("Old bug.", { file: "src/greet.js", line: 90 });
    const otherFile = finding("Untouched file.", { file: "src/other.js", line: 3 });
    const general = finding("Add a test.", { severity: "minor" });
    const noLine = finding("Whole file.", { file: "src/greet.js" });

    const { comments, rest } = inlineComments([onDiff, offDiff, otherFile, general, noLine], commentable);

    expect(comments).toEqual([
      { path: "src/greet.js", line: 3, side: "RIGHT", body: "**blocker**: Default back to en\\." },
    ]);
    expect(rest).toEqual([offDiff, otherFile, general, noLine]);
  });

  it("takes a path written as ./path for the repository path", () => {
    const { comments } = inlineComments([finding("x", { file: "./src/greet.js", line: 4 })], commentable);

    expect(comments.map((c) => c.path)).toEqual(["src/greet.js"]);
  });

  it("escapes what the judge wrote in a comment", () => {
    const { comments } = inlineComments(
      [finding("ping @octocat <b>", { file: "src/greet.js", line: 3 })],
      commentable,
    );

    expect(comments[0]?.body).toBe(`**major**: ping @${ZWSP}octocat \\<b\\>`);
  });

  it("posts at most 30 inline, leaving the others for the body", () => {
    const lines = new Map([["a.ts", new Set(Array.from({ length: 40 }, (_, i) => i + 1))]]);
    const findings = Array.from({ length: 35 }, (_, i) => finding(`n${i}`, { file: "a.ts", line: i + 1 }));

    const { comments, rest } = inlineComments(findings, lines);

    expect(comments).toHaveLength(30);
    expect(rest.map((f) => f.message)).toEqual(["n30", "n31", "n32", "n33", "n34"]);
  });
});

describe("checkAnnotations", () => {
  it("annotates findings about a file at their line, by severity, leaving general ones out", () => {
    const annotations = checkAnnotations([
      finding("Blocker.", { severity: "blocker", file: "a.ts", line: 3 }),
      finding("Major.", { file: "./b.ts", line: 7 }),
      finding("Minor.", { severity: "minor", file: "c.ts" }),
      finding("Nit.", { severity: "nit", file: "d.ts", line: 2 }),
      finding("General.", { severity: "blocker" }),
    ]);

    expect(annotations.map((a) => [a.path, a.start_line, a.end_line, a.annotation_level, a.message])).toEqual(
      [
        ["a.ts", 3, 3, "failure", "Blocker."],
        ["b.ts", 7, 7, "failure", "Major."],
        ["c.ts", 1, 1, "warning", "Minor."],
        ["d.ts", 2, 2, "notice", "Nit."],
      ],
    );
  });

  it("gives at most 50, GitHub's limit for one request, with messages under 64 KB", () => {
    const findings = Array.from({ length: 60 }, () => finding("\u{1F600}".repeat(40_000), { file: "a.ts" }));

    const annotations = checkAnnotations(findings);

    expect(annotations).toHaveLength(50);
    expect(Buffer.byteLength(annotations[0]?.message ?? "")).toBeLessThanOrEqual(64 * 1024);
  });
});
