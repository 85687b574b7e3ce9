/** A line longer than this is handed on in pieces: one endless line must not grow memory without bound. */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

/**
 * Splits a byte stream into lines as it arrives (`\n` or `\r\n`), calling `onLine` for each; `end()` hands
 * on a last line that had no newline. UTF-8 characters split across chunks are put back together.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      this.pending.push(chunk.subarray(start, nl));
      this.flush();
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.pending.push(chunk.subarray(start));
      this.pendingBytes += chunk.length - start;
      if (this.pendingBytes >= MAX_LINE_BYTES) this.flush();
    }
  }

  end(): void {
    if (this.pendingBytes > 0 || this.pending.length > 0) this.flush();
  }

  private flush(): void {
    const line = Buffer.concat(this.pending).toString("utf8");
    this.pending = [];
    this.pendingBytes = 0;
    this.onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  }
}
