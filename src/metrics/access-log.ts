import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/**
 * The router's JSON access log (src/router/render.ts writes one object per
 * request) read as it grows. HAProxy's per-server counters give totals and an
 * average response time; percentiles need each request's time, which only
 * this log has.
 */
export interface AccessEntry {
  backend: string;
  server: string;
  status: number;
  /** %Tr: ms from the request sent to the server until its response headers; -1 when there was none */
  tResponse: number;
}

/**
 * The fields metrics need, found after the client-supplied strings (host,
 * uri): those are JSON-escaped, so `,"status":` cannot occur inside them.
 * A regex on the rest costs a fraction of JSON.parse on the whole line, which
 * matters at tens of thousands of lines a second.
 */
const TAIL =
  /^,"status":(-?\d+),"bytes":-?\d+,"backend":"([^"\\]*)","server":"([^"\\]*)","t_req":-?\d+,"t_queue":-?\d+,"t_connect":-?\d+,"t_response":(-?\d+),/;

/** One log line → the fields metrics need; null for anything else (a startup message, a cut line). */
export function parseAccessLine(line: string): AccessEntry | null {
  if (!line.startsWith("{")) return null;
  const at = line.indexOf(',"status":');
  const m = at > 0 ? TAIL.exec(line.slice(at)) : null;
  if (m) return { backend: m[2], server: m[3], status: Number(m[1]), tResponse: Number(m[4]) };
  // another layout (an older config still running): the slow, general way
  try {
    const o = JSON.parse(line) as Record<string, unknown>;
    if (
      typeof o.backend !== "string" ||
      typeof o.server !== "string" ||
      typeof o.status !== "number" ||
      typeof o.t_response !== "number"
    )
      return null;
    return { backend: o.backend, server: o.server, status: o.status, tResponse: o.t_response };
  } catch {
    return null;
  }
}

/**
 * Reads the lines appended to a file since the last read. Starts at the end
 * (history is not replayed), starts over when the file shrank (the log cap
 * truncates it), and reads at most `maxBytes` per call, skipping ahead when
 * more was written, so a busy router costs bounded work per sample.
 */
export class LogTail {
  private offset: number | null = null;
  private partial = "";

  /** 4 MiB is about 13,000 requests: plenty for a p95, and a bounded cost however busy the router is. */
  constructor(
    readonly path: string,
    private readonly maxBytes = 4 * 1024 * 1024,
  ) {}

  read(): string[] {
    let fd: number;
    try {
      fd = openSync(this.path, "r");
    } catch {
      return []; // no log yet (access log off, or HAProxy not started)
    }
    try {
      const size = fstatSync(fd).size;
      if (this.offset === null || size < this.offset) {
        this.offset = this.offset === null ? size : 0;
        this.partial = "";
      }
      if (size - this.offset > this.maxBytes) {
        this.offset = size - this.maxBytes;
        this.partial = "\u0000"; // the first line read is cut: drop it
      }
      const len = size - this.offset;
      if (len <= 0) return [];
      const buf = Buffer.alloc(len);
      const n = readSync(fd, buf, 0, len, this.offset);
      this.offset += n;
      const text = this.partial + buf.subarray(0, n).toString("utf8");
      const lines = text.split("\n");
      this.partial = lines.pop() ?? "";
      if (lines.length && lines[0].startsWith("\u0000")) lines.shift();
      return lines;
    } finally {
      closeSync(fd);
    }
  }
}
