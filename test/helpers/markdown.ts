/**
 * A Markdown text as lines of trimmed table cells. Biome pads Markdown tables when it formats them, so a
 * generated page and its formatted copy on disk are compared cell by cell.
 */
export function tableCells(markdown: string): string[] {
  return markdown
    .trim()
    .split("\n")
    .map((line) =>
      line
        .split("|")
        .map((cell) => cell.trim().replace(/^-+$/, "---"))
        .join("|"),
    );
}
