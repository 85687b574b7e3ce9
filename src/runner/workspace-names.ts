import { git } from "./git.js";

/** Something a workspace cannot be opened with: the caller passed a bad name or URL. */
export class WorkspaceInputError extends Error {
  override name = "WorkspaceInputError";
}

const DIR_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A name used as one path segment: letters, digits, `.`, `_` and `-`, not starting with `.` or `-`. */
export function validateDirName(what: string, value: string): void {
  if (!DIR_NAME.test(value) || value.length > 200) {
    throw new WorkspaceInputError(
      `${what} ${JSON.stringify(value)} must be letters, digits, ".", "_" or "-", not starting with "." or "-"`,
    );
  }
}

/** A clone URL: http(s) or file://, with no credentials in it (the token travels apart). */
export function validateSourceUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WorkspaceInputError(`${JSON.stringify(url)} is not a URL`);
  }
  if (!["https:", "http:", "file:"].includes(parsed.protocol)) {
    throw new WorkspaceInputError(`clone URLs must be https, http or file, not ${parsed.protocol}`);
  }
  if (parsed.username !== "" || parsed.password !== "") {
    // The message leaves the URL out: it holds a credential.
    throw new WorkspaceInputError("the clone URL must not hold credentials; pass the token as `token`");
  }
}

/**
 * A branch name git accepts for a new branch, and that cannot be read as an option (a leading dash) or
 * expand to another branch (`@{-1}`).
 */
export async function validateBranchName(name: string, cwd: string): Promise<void> {
  const refuse = (why: string) => new WorkspaceInputError(`branch name ${JSON.stringify(name)} ${why}`);
  if (name.startsWith("-")) throw refuse("starts with a dash");
  if (name.includes("@{") || name === "HEAD") throw refuse("is not a plain branch name");
  const checked = await git(cwd, ["check-ref-format", "--branch", name]).catch(() => {
    throw refuse("is not a valid git branch name");
  });
  if (checked.trim() !== name) throw refuse("is not a valid git branch name");
}
