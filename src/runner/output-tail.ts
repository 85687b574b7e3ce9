/** How much of an agent's output is kept when it says more. @defaultValue 1 MiB */
export const DEFAULT_OUTPUT_LIMIT_BYTES = 1024 * 1024;

/**
 * Collects a stream's bytes but keeps only the last `limitBytes`: an agent's last words (the error, the
 * summary) matter more than its first, and a chatty agent must not grow the worker's memory without bound.
 */
export class OutputTail {
  private chunks: Buffer[] = [];
  private kept = 0;
  private dropped = 0;

  constructor(private readonly limitBytes: number) {
    if (!Number.isInteger(limitBytes) || limitBytes < 1) {
      throw new RangeError(`the output limit must be a positive number of bytes, not ${limitBytes}`);
    }
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.kept += chunk.length;
    // Whole chunks first (cheap), then the oldest remaining chunk is cut in text().
    while (this.kept - (this.chunks[0]?.length ?? 0) >= this.limitBytes) {
      const oldest = this.chunks.shift();
      this.kept -= oldest?.length ?? 0;
      this.dropped += oldest?.length ?? 0;
    }
  }

  get truncated(): boolean {
    return this.dropped > 0 || this.kept > this.limitBytes;
  }

  /** The kept output as text, starting with a note of how much was dropped when it was truncated. */
  text(): string {
    let bytes = Buffer.concat(this.chunks);
    if (!this.truncated) return bytes.toString("utf8");
    const cut = bytes.length - this.limitBytes;
    bytes = bytes.subarray(Math.max(0, cut));
    // The first kept line is a fragment: dropping it keeps a secret that was cut in two from surviving as a
    // tail the redactor cannot recognize, and never starts the text inside a UTF-8 character.
    const newline = bytes.indexOf(0x0a);
    const start = newline >= 0 ? newline + 1 : skipContinuationBytes(bytes);
    const total = this.dropped + Math.max(0, cut) + start;
    return `[output truncated: the first ${total} bytes were dropped]\n${bytes.subarray(start).toString("utf8")}`;
  }
}

function skipContinuationBytes(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length && ((bytes[i] ?? 0) & 0xc0) === 0x80) i++;
  return i;
}
