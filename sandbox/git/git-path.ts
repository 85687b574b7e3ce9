/**
 * A path inside a tree as GitHub accepts it from the contents and Git Data APIs: relative, no empty, `.`,
 * `..` or `.git` segments, and no newline, tab or NUL (git's index format and plumbing cannot carry them).
 * Checked before the path reaches git, so a bad one is the caller's error, never git's stderr.
 */
export function isValidTreePath(path: string): boolean {
  if (path === "" || /[\n\t\0]/.test(path)) return false;
  return path
    .split("/")
    .every(
      (segment) => segment !== "" && segment !== "." && segment !== ".." && segment.toLowerCase() !== ".git",
    );
}
