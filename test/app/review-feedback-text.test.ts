import { describe, expect, it } from "@jest/globals";
import { reviewFeedbackText } from "../../src/app/commands/review-feedback-text.js";

describe("reviewFeedbackText", () => {
  it("gives the review's words, then each line comment with its file and line", () => {
    const text = reviewFeedbackText({
      changesRequested: true,
      body: " Two things. ",
      comments: [
        { path: "src/greet.js", line: 2, body: "Say hello." },
        { path: "src/greet.js", line: 9, startLine: 7, body: "Split this up." },
        { path: "README.md", line: null, body: "Outdated now." },
      ],
    });

    expect(text).toBe(
      [
        "The reviewer requested changes:\n\nTwo things.",
        "On src/greet.js, line 2:\n\nSay hello.",
        "On src/greet.js, lines 7–9:\n\nSplit this up.",
        "On README.md (a line no longer in the diff):\n\nOutdated now.",
      ].join("\n\n"),
    );
  });

  it("says so when the review has no words of its own", () => {
    expect(reviewFeedbackText({ changesRequested: false, body: "", comments: [] })).toBe(
      "The reviewer wrote.",
    );
  });

  it("cuts a review that would flood the prompt", () => {
    const text = reviewFeedbackText({
      changesRequested: true,
      body: "x".repeat(100_000),
      comments: [],
    });
    expect(text.length).toBeLessThan(20_000);
    expect(text.endsWith("…")).toBe(true);
  });
});
