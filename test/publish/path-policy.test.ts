import { describe, expect, it } from "@jest/globals";
import { checkPathPolicy, globToRegExp } from "../../src/publish/path-policy.js";

const policy = {
  protectedPaths: ["infra/**", "*.pem", "secrets"],
  maxFilesChanged: 3,
  maxBytesChanged: 1000,
};
const change = (
  path: string,
  extra: Partial<{ previousPath: string; bytes: number; status: string }> = {},
) => ({
  path,
  status: "modified",
  bytes: 10,
  ...extra,
});

describe("the path policy for agent changes", () => {
  it("accepts changes outside protected paths and within the limits", () => {
    expect(checkPathPolicy([change("src/a.ts"), change("README.md")], policy)).toEqual({ ok: true });
  });

  it("always refuses workflow changes, even when the config protects nothing", () => {
    const verdict = checkPathPolicy([change(".github/workflows/ci.yml"), change("src/a.ts")], {
      ...policy,
      protectedPaths: [],
    });
    expect(verdict).toEqual({ ok: false, protectedPaths: [".github/workflows/ci.yml"] });
  });

  it("always refuses a change to Flotilla's own config, which chooses the agents' commands and secrets", () => {
    const verdict = checkPathPolicy([change(".github/flotilla.yml")], {
      ...policy,
      protectedPaths: ["infra/**"],
    });
    expect(verdict).toEqual({ ok: false, protectedPaths: [".github/flotilla.yml"] });
  });

  it("refuses configured protected paths and lists every offending path once", () => {
    const verdict = checkPathPolicy(
      [
        change("infra/prod/main.tf"),
        change("deploy/key.pem"),
        change("secrets/token.txt"),
        change("src/ok.ts"),
      ],
      { ...policy, maxFilesChanged: 10 },
    );
    expect(verdict).toEqual({
      ok: false,
      protectedPaths: ["deploy/key.pem", "infra/prod/main.tf", "secrets/token.txt"],
    });
  });

  it("protects the folder a `/**` pattern names, so nothing can be put in its place", () => {
    const verdict = checkPathPolicy([change(".github/workflows", { status: "added" }), change("infra")], {
      ...policy,
      maxFilesChanged: 10,
    });
    expect(verdict).toEqual({ ok: false, protectedPaths: [".github/workflows", "infra"] });
    expect(checkPathPolicy([change(".github/workflows-notes.md")], policy)).toEqual({ ok: true });
  });

  it("counts both sides of a rename, so a workflow cannot be moved away", () => {
    const verdict = checkPathPolicy(
      [change("docs/ci.yml", { previousPath: ".github/workflows/ci.yml", status: "renamed" })],
      policy,
    );
    expect(verdict).toMatchObject({ ok: false, protectedPaths: [".github/workflows/ci.yml"] });
  });

  it("refuses too many files or too many bytes, saying how many", () => {
    const many = ["a", "b", "c", "d"].map((p) => change(p));
    expect(checkPathPolicy(many, policy)).toEqual({ ok: false, protectedPaths: [], tooManyFiles: 4 });
    expect(checkPathPolicy([change("big.bin", { bytes: 1001 })], policy)).toEqual({
      ok: false,
      protectedPaths: [],
      tooManyBytes: 1001,
    });
  });

  it("reads globs as people write them", () => {
    expect(globToRegExp("docs/*.md").test("docs/a.md")).toBe(true);
    expect(globToRegExp("docs/*.md").test("docs/sub/a.md")).toBe(false);
    expect(globToRegExp("**/secret.txt").test("secret.txt")).toBe(true);
    expect(globToRegExp("**/secret.txt").test("a/b/secret.txt")).toBe(true);
    expect(globToRegExp("infra/").test("infra/x/y")).toBe(true);
    expect(globToRegExp("a.b").test("axb")).toBe(false);
    expect(globToRegExp("file?.txt").test("file1.txt")).toBe(true);
    expect(globToRegExp("*.pem").test("deep/down/key.pem")).toBe(true);
    expect(globToRegExp("/top.txt").test("top.txt")).toBe(true);
    expect(globToRegExp("/top.txt").test("sub/top.txt")).toBe(false);
  });
});
