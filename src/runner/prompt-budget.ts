/** One quoted text of a prompt; `whole` ones (comments) are dropped rather than cut. */
export interface Quote {
  text: string;
  whole?: boolean;
}

export type Fit = "kept" | "cut" | "dropped";

export interface Fitted {
  text: string;
  fit: Fit;
}

const encoder = new TextEncoder();

function bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/**
 * The start of `text` in at most `max` UTF-8 bytes, never splitting a character; at a line end when one is
 * in the second half, so that a cut diff or list ends on a whole line.
 */
export function cutToBytes(text: string, max: number): string {
  const { read } = encoder.encodeInto(text, new Uint8Array(Math.max(0, max)));
  const kept = text.slice(0, read);
  const line = kept.lastIndexOf("\n");
  return line >= kept.length / 2 ? kept.slice(0, line) : kept;
}

/**
 * Fits quotes into `maxBytes` (UTF-8) in all, giving them up in the order given: each `whole` quote is
 * dropped, each other one cut to what is left, until the rest fits. The first quotes are the least needed.
 */
export function fitToBudget(quotes: Quote[], maxBytes: number): Fitted[] {
  let over = quotes.reduce((sum, q) => sum + bytes(q.text), 0) - maxBytes;
  return quotes.map((quote): Fitted => {
    if (over <= 0) return { text: quote.text, fit: "kept" };
    const size = bytes(quote.text);
    const text = quote.whole ? "" : cutToBytes(quote.text, size - over);
    over -= size - bytes(text);
    return { text, fit: text === "" ? "dropped" : "cut" };
  });
}

/** `65536` → `64 KiB`, `1000` → `1000 bytes`. */
export function formatBytes(size: number): string {
  if (size >= 1024 * 1024 && size % (1024 * 1024) === 0) return `${size / (1024 * 1024)} MiB`;
  if (size >= 1024 && size % 1024 === 0) return `${size / 1024} KiB`;
  return `${size} bytes`;
}
