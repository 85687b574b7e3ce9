/**
 * Where on a pull request's diff a review comment may go. GitHub refuses a whole review (422) when one of
 * its comments targets a line outside the diff, so findings are checked against this before they are
 * posted inline; the others go in the review's body.
 */

const HUNK = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/**
 * The lines of the new version (the RIGHT side) that a file's `patch` shows: added lines and context lines.
 * The hunk headers' counts say where a hunk ends, so a line after it that happens to start with `+` or a
 * space is not taken for one of its lines. No patch (a binary file, a diff too large for GitHub) shows none.
 */
export function commentableLines(patch: string | undefined): Set<number> {
  const lines = new Set<number>();
  let oldLeft = 0;
  let newLeft = 0;
  let line = 0;
  for (const text of (patch ?? "").split(/\r?\n/)) {
    const hunk = HUNK.exec(text);
    if (hunk) {
      oldLeft = Number(hunk[1] ?? 1);
      line = Number(hunk[2]);
      newLeft = Number(hunk[3] ?? 1);
      continue;
    }
    if (oldLeft === 0 && newLeft === 0) continue;
    const kind = text.charAt(0);
    if (kind === "+" && newLeft > 0) {
      lines.add(line++);
      newLeft--;
    } else if (kind === "-" && oldLeft > 0) {
      oldLeft--;
    } else if ((kind === " " || text === "") && oldLeft > 0 && newLeft > 0) {
      // An empty line in a hunk is a context line whose leading space was lost (some tools trim it).
      lines.add(line++);
      oldLeft--;
      newLeft--;
    }
    // `\ No newline at end of file` and anything else is no line of either side.
  }
  return lines;
}
