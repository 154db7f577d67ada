/**
 * The last lines of a run's output, bounded both ways (lines and bytes), so a
 * chatty job cannot grow the store. A line longer than the byte cap keeps its start.
 */
export class OutputTail {
  private lines: string[] = [];
  private bytes = 0;

  constructor(
    private readonly maxLines = 200,
    private readonly maxBytes = 64 * 1024,
  ) {}

  push(line: string): void {
    let l = line;
    if (Buffer.byteLength(l) > this.maxBytes)
      l =
        Buffer.from(l)
          .subarray(0, this.maxBytes - 16)
          .toString("utf8")
          .replace(/\uFFFD$/, "") + " …[truncated]";
    this.lines.push(l);
    this.bytes += Buffer.byteLength(l) + 1;
    while (this.lines.length > this.maxLines || (this.bytes > this.maxBytes && this.lines.length > 1)) {
      this.bytes -= Buffer.byteLength(this.lines.shift()!) + 1;
    }
  }

  text(): string {
    return this.lines.length ? this.lines.join("\n") + "\n" : "";
  }
}
