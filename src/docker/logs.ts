import type Docker from "dockerode";
import { PassThrough, type Readable } from "node:stream";
import { splitLines } from "../lib/lines.js";
import { statusOf } from "./docker-errors.js";

/** A container's output: its last lines, or followed as it comes (stdout and stderr demultiplexed). */
export class DockerLogs {
  constructor(private readonly docker: Docker) {}

  async logsTail(id: string, lines: number, timestamps = false): Promise<string> {
    try {
      const buf = (await this.docker
        .getContainer(id)
        .logs({ stdout: true, stderr: true, tail: lines, follow: false, timestamps })) as unknown as Buffer;
      return demuxBuffer(buf).trimEnd();
    } catch (e) {
      if (statusOf(e) === 404) return "";
      throw e;
    }
  }

  async followLogs(
    id: string,
    opts: { tail: number; follow: boolean; timestamps?: boolean; onLine: (line: string) => void; signal: AbortSignal },
  ): Promise<void> {
    const c = this.docker.getContainer(id);
    if (!opts.follow) {
      for (const line of splitLines(await this.logsTail(id, opts.tail, opts.timestamps))) opts.onLine(line);
      return;
    }
    const stream = (await c.logs({
      stdout: true,
      stderr: true,
      tail: opts.tail,
      follow: true,
      timestamps: opts.timestamps ?? false,
    })) as unknown as Readable;
    const out = new PassThrough();
    this.docker.modem.demuxStream(stream, out, out);
    let rest = "";
    out.on("data", (d: Buffer) => {
      const text = rest + d.toString("utf8");
      const parts = text.split("\n");
      rest = parts.pop() ?? "";
      for (const p of parts) opts.onLine(p);
    });
    await new Promise<void>((resolve) => {
      const done = () => {
        (stream as unknown as { destroy?: () => void }).destroy?.();
        resolve();
      };
      stream.on("end", done);
      stream.on("error", done);
      opts.signal.addEventListener("abort", done, { once: true });
    });
  }
}

/** Docker multiplexes stdout and stderr of a non-TTY container in 8-byte-header frames. */
export function demuxBuffer(buf: Buffer): string {
  if (!Buffer.isBuffer(buf)) return String(buf);
  const out: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const type = buf[i];
    if (type > 2 || buf[i + 1] !== 0) return buf.toString("utf8"); // not multiplexed
    const len = buf.readUInt32BE(i + 4);
    out.push(buf.subarray(i + 8, i + 8 + len));
    i += 8 + len;
  }
  return Buffer.concat(out).toString("utf8");
}
