import { describe, expect, it } from "@jest/globals";
import type { TaskRow } from "../../src/dashboard/fleet-rows.js";
import { rowsHtml, summary } from "../../src/dashboard/render/fleet-page.js";
import { html } from "../../src/dashboard/render/html.js";
import { taskDetails } from "../../src/dashboard/render/task-page.js";
import type { Task } from "../../src/fleet/task.js";
import { draft } from "../fleet/drafts.js";

// The dashboard's HTML: what people read and press, and nothing an agent or an issue can turn into markup.

const row = (patch: Partial<TaskRow> = {}): TaskRow => ({
  id: "r7-i3-claude",
  repo: "acme/widgets",
  issue: 3,
  issueUrl: "https://github.com/acme/widgets/issues/3",
  agent: "claude",
  state: "running",
  attempt: 1,
  elapsed: { ms: 75_000, since: "started" },
  mayAct: true,
  canStop: true,
  canRetry: false,
  ...patch,
});

describe("the dashboard's HTML", () => {
  it("escapes every value, so an agent's output or a reason cannot add markup", () => {
    const evil = `<script>alert("x")</script><img src=x onerror=alert(1)>`;
    expect(html`<p>${evil}</p>`.text).toBe(
      "<p>&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#60;img src=x onerror=alert(1)&#62;</p>",
    );
    const task = {
      ...draft(3, "claude"),
      state: "failed",
      attempt: 1,
      version: 1,
      createdAt: "",
      updatedAt: "",
      outputTail: evil,
      error: { kind: "agent", message: evil },
    } as Task;
    const details = taskDetails({
      row: row({ state: "failed" }),
      task,
      timeline: [],
      viewer: { login: "a", formToken: "t" },
    }).text;
    expect(details).not.toContain("<script>");
    expect(details).not.toContain("<img");
  });

  it("names each button after its task, and offers only what the person may do", () => {
    const rows = rowsHtml(
      [
        row(),
        row({ id: "r7-i4-codex", issue: 4, agent: "codex", state: "failed", canStop: false, canRetry: true }),
      ],
      "tok",
      "/fleet",
    ).text;
    expect(rows).toContain('aria-label="Stop claude on acme/widgets#3"');
    expect(rows).toContain('aria-label="Retry codex on acme/widgets#4"');
    expect(rows).not.toContain("Retry claude");
    const reader = rowsHtml([row({ mayAct: false, canStop: false })], "tok", "/fleet").text;
    expect(reader).not.toContain("<button");
    expect(rowsHtml([], "tok", "/fleet").text).toContain("No tasks to show.");
  });

  it("sums the rows up by state for the live region", () => {
    expect(summary([row(), row(), row({ state: "queued" })])).toBe("3 tasks: 2 running, 1 queued");
    expect(summary([])).toBe("No tasks.");
  });
});
