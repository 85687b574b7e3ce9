import { describe, expect, it } from "@jest/globals";
import { pullRequestTitle, renderPullRequestBody } from "../../src/publish/pull-request-body.js";
import type { FileChange } from "../../src/runner/changeset.js";
import { fencedBlocks } from "./fenced-blocks.js";

const ZWSP = "\u200b";

function change(path: string, extra: Partial<FileChange> = {}): FileChange {
  return { path, status: "modified", mode: "100644", binary: false, bytes: 10, ...extra };
}

const FILES: FileChange[] = [
  change("src/login.ts"),
  change("src/new.ts", { status: "added" }),
  change("docs/old.md", { status: "deleted", mode: null, bytes: 0 }),
  change("src/session.ts", { status: "renamed", previousPath: "src/auth.ts" }),
  change("assets/logo.png", { status: "added", binary: true }),
  change("bin/run", { status: "added", mode: "100755" }),
];

function render(overrides: Partial<Parameters<typeof renderPullRequestBody>[0]> = {}) {
  return renderPullRequestBody({
    issue: 12,
    agent: "claude",
    durationMs: 192_000,
    changeset: { files: FILES },
    summary: "Fixed the Safari login by storing the session in a cookie.",
    log: "reading src/login.ts\nediting\ndone\n",
    ...overrides,
  });
}

describe("the pull request body", () => {
  it("closes the issue, names the agent and its time, and lists the changed files with their status", () => {
    const body = render();

    expect(body.split("\n")[0]).toBe("Closes #12");
    expect(body).toContain("The agent `claude` worked on this for 3 min 12 s.");
    expect(body).toContain("### Summary\n\nFixed the Safari login by storing the session in a cookie\\.");
    expect(body).toContain(
      [
        "### Changed files (6)",
        "",
        "- modified `src/login.ts`",
        "- added `src/new.ts`",
        "- deleted `docs/old.md`",
        "- renamed `src/auth.ts` → `src/session.ts`",
        "- added `assets/logo.png` (binary)",
        "- added `bin/run` (executable)",
      ].join("\n"),
    );
  });

  it("says first, after the issue it closes, that the agent was stopped at its limit and the draft is unfinished", () => {
    const body = render({ stopped: "The agent was stopped after its 10-minute timeout." });
    // As it reads: Markdown's backslash escapes taken out.
    const lines = body.replace(/\\(.)/g, "$1").split("\n");

    expect(lines[0]).toBe("Closes #12");
    expect(lines.slice(2, 4)).toEqual([
      "> [!WARNING]",
      "> **Unfinished.** The agent was stopped after its 10-minute timeout. This draft holds what the agent had written by then; it is not judged until someone marks it ready for review.",
    ]);
    expect(render()).not.toContain("Unfinished");
  });

  it("folds the agent's log away, keeping its last 60 lines", () => {
    const log = Array.from({ length: 100 }, (_, i) => `line ${i + 1}`).join("\n");

    const body = render({ log });

    expect(body).toContain("<details>\n<summary>Agent log (last 60 lines)</summary>\n\n```text\nline 41\n");
    expect(body.endsWith("line 100\n```\n\n</details>")).toBe(true);
    expect(fencedBlocks(body).content.split("\n")).toHaveLength(60);
  });

  it("leaves out the summary and the log when there are none", () => {
    const body = render({ summary: "  ", log: "" });

    expect(body).not.toContain("### Summary");
    expect(body).not.toContain("<details>");
  });

  it("keeps a hostile log inside its fence, where fences, HTML comments and closing tags are only text", () => {
    const log = "ok\n```\n<!-- everything after this is hidden\n````\n</details>\n@alice fixes #3";

    const body = render({ log });

    const { content, outside } = fencedBlocks(body);
    expect(content).toBe(log);
    expect(outside).not.toContain("<!--");
    expect(outside).not.toContain("@alice");
    expect(outside.match(/<\/details>/g)).toHaveLength(1);
  });

  it("shows the agent's summary as plain text that can neither mention people nor close other issues", () => {
    const body = render({ summary: "Fixes #5, thanks @alice <!-- x --> <img src=x>" });

    expect(body).toContain(
      `Fixes \\#${ZWSP}5, thanks @${ZWSP}alice \\<\\!\\-\\- x \\-\\-\\> \\<img src\\=x\\>`,
    );
    expect(body.match(/#\d/g)).toEqual(["#1"]);
  });

  it("stays under GitHub's 65,536 characters however much the agent changed, said and printed", () => {
    const files = Array.from({ length: 5_000 }, (_, i) =>
      change(`${"deep/".repeat(200)}file-${i}.ts`, { status: "added" }),
    );
    const log = Array.from({ length: 10_000 }, () => "`".repeat(2_000)).join("\n");

    const body = render({ changeset: { files }, summary: "#".repeat(100_000), log });

    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body.startsWith("Closes #12\n")).toBe(true);
    expect(body).toContain("### Changed files (5000)");
    expect(body).toContain("more, in the Files tab");
    expect(body).toContain("Agent log (last ");
  });
});

describe("the pull request title", () => {
  it("names the issue and its title on one line", () => {
    expect(pullRequestTitle("  Login fails\non Safari ", 12)).toBe("Resolve #12: Login fails on Safari");
  });

  it("breaks references in the issue title, which a squash merge would turn into closing keywords", () => {
    expect(pullRequestTitle("fixes #5 for @alice", 12)).toBe(
      `Resolve #12: fixes #${ZWSP}5 for @${ZWSP}alice`,
    );
  });

  it("stays within GitHub's 256 characters for a title", () => {
    const title = pullRequestTitle("x".repeat(1_000), 12);
    expect(title).toHaveLength(256);
    expect(title.endsWith("…")).toBe(true);
  });
});
