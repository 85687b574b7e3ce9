/**
 * The backtick-fenced code blocks of a Markdown text, found by CommonMark's rules (§4.5): an opening fence of
 * three or more backticks indented at most three spaces, closed by the first later line that holds only a
 * backtick run at least as long (also indented at most three spaces), or by the end of the document.
 * Enough to tell whether text meant to stay inside a fence can close it early.
 */
export function fencedBlocks(markdown: string): { content: string; outside: string } {
  const lines = markdown.split("\n");
  const inside: string[] = [];
  const outside: string[] = [];
  let open: number | undefined;
  for (const line of lines) {
    if (open === undefined) {
      const opening = /^ {0,3}(`{3,})[^`]*$/.exec(line);
      if (opening?.[1]) open = opening[1].length;
      else outside.push(line);
      continue;
    }
    const closing = /^ {0,3}(`{3,})[ \t]*$/.exec(line);
    if (closing?.[1] && closing[1].length >= open) open = undefined;
    else inside.push(line);
  }
  return { content: inside.join("\n"), outside: outside.join("\n") };
}
