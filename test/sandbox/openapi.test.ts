import { describe, expect, it } from "@jest/globals";
import { checkRequestBody, checkResponseBody, matchOperation } from "../../sandbox/http/openapi.js";

describe("the OpenAPI contract the sandbox enforces", () => {
  it("matches paths to GitHub's operations, literal segments before parameters", () => {
    expect(matchOperation("GET", "/repos/o/r/issues/comments")?.key).toBe(
      "GET /repos/{owner}/{repo}/issues/comments",
    );
    expect(matchOperation("GET", "/repos/o/r/issues/7")?.params).toEqual({
      owner: "o",
      repo: "r",
      issue_number: "7",
    });
    expect(matchOperation("GET", "/repos/o/r/contents/docs/a b.md")?.params.path).toBe("docs/a b.md");
    expect(matchOperation("PATCH", "/repos/o/r/git/refs/heads/feature/x")?.params.ref).toBe(
      "heads/feature/x",
    );
    expect(matchOperation("GET", "/repos/o/r/teleport")).toBeUndefined();
  });

  it("names the field GitHub would name for a bad request body", () => {
    const create = matchOperation("POST", "/repos/o/r/issues");
    if (!create) throw new Error("no operation");
    expect(checkRequestBody(create, { body: "no title" })).toEqual({
      field: "title",
      message: `"title" wasn't supplied.`,
    });
    expect(checkRequestBody(create, { title: "t", labels: "bug" })?.message).toBe(
      'For "labels", "bug" is not an array.',
    );
    expect(checkRequestBody(create, { title: "t", labels: ["bug"] })).toBeUndefined();
  });

  it("catches a response that lacks a field GitHub's schema requires", () => {
    const label = {
      id: 1,
      node_id: "x",
      url: "http://127.0.0.1/l",
      name: "bug",
      color: "f00",
      default: false,
    };
    expect(
      checkResponseBody("GET /repos/{owner}/{repo}/labels/{name}", 200, { ...label, description: null }),
    ).toEqual([]);
    expect(checkResponseBody("GET /repos/{owner}/{repo}/labels/{name}", 200, label)).toEqual([
      `(root) must have required property 'description' {"missingProperty":"description"}`,
    ]);
  });
});
