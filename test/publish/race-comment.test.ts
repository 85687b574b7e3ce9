import { describe, expect, it } from "@jest/globals";
import { type RaceView, renderRaceComment } from "../../src/publish/race-comment.js";

// The race's comment on the issue: where the race is, and one row per candidate.

const base: RaceView = {
  state: "running",
  deadline: "2026-12-02T12:00:00.000Z",
  keepBranchesMs: 7 * 24 * 3600_000,
  candidates: [
    { agent: "claude", state: "running" },
    { agent: "codex", state: "queued" },
  ],
};

describe("rendering the race's comment", () => {
  it("is found again by the race's marker, and lists every candidate while they work", () => {
    const body = renderRaceComment("race-r1-i5", base);
    expect(body).toMatch(/^<!-- flotilla:status task=race-r1-i5 -->\n/);
    expect(body).toContain("`claude` and `codex` are working on this issue at once");
    expect(body).toContain("| – | `claude` | running | – | – |");
    expect(body).toContain("| – | `codex` | queued | – | – |");
  });

  it("shows the ranking with CI and the judge, and asks a person to pick when the race waits for one", () => {
    const body = renderRaceComment("r", {
      ...base,
      state: "waiting-pick",
      candidates: [
        {
          agent: "codex",
          state: "finished",
          ci: "passed",
          decision: "approve",
          rank: 1,
          branch: "flotilla/5-codex",
          summary: "Adds bonjour, @bob: tested.",
        },
        {
          agent: "claude",
          state: "finished",
          ci: "failed",
          ciNames: ["lint", "test", "e2e", "docs"],
          decision: "no verdict",
          rank: 2,
        },
      ],
    });
    expect(body).toContain("waiting for `/agent pick <agent>`");
    // Where each one's change is, and what the judge said about it, as plain text.
    expect(body).toContain("- `codex` on `flotilla/5-codex`: Adds bonjour, @\u200bbob\\: tested\\.");
    expect(body).toContain("| 1 | `codex` | finished | ✅ passed | ✅ approve |");
    expect(body).toContain("| 2 | `claude` | finished | ❌ failed: lint, test, e2e, … | ⚠️ no verdict |");
  });

  it("links the winner's pull request, and says how long the other branches are kept", () => {
    const pr = { number: 7, url: "https://github.com/acme/widgets/pull/7" };
    const body = renderRaceComment("r", {
      ...base,
      state: "done",
      winner: { agent: "codex", pr },
      candidates: [{ agent: "codex", state: "winner", pr, ci: "passed", decision: "approve", rank: 1 }],
    });
    expect(body).toContain("**Winner: `codex`**, pull request [#7](https://github.com/acme/widgets/pull/7).");
    expect(body).toContain("| 1 | `codex` | pull request [#7](https://github.com/acme/widgets/pull/7) |");
    expect(body).toContain("kept for 7 d");
  });

  it("keeps a check named with a pipe inside its cell", () => {
    const body = renderRaceComment("r", {
      ...base,
      candidates: [{ agent: "codex", state: "finished", ci: "failed", ciNames: ["a | b"] }],
    });
    expect(body).toContain("| ❌ failed: a \\| b |");
  });

  it("shows why a race was stopped as plain text that mentions and links nobody", () => {
    const body = renderRaceComment("r", { ...base, state: "cancelled", reason: "@alice closed <b>it</b>" });
    expect(body).toContain("Race stopped");
    expect(body).not.toContain("@alice");
    expect(body).not.toContain("<b>");
  });
});
