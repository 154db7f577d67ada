import http from "node:http";
import https from "node:https";
import type { Duplex } from "node:stream";
import { CliError, errorFromResponse, type ClientConfig } from "./api-client.js";

/**
 * The client side of `yk run`'s attach: an HTTP upgrade to a raw byte
 * stream (the protocol is described in src/runs/contract.ts), Docker's
 * stdout/stderr frames split apart, and the terminal wired to the stream.
 */

/** Opens GET `path` with `Upgrade: tcp`; resolves with the raw socket after 101, rejects with the server's error otherwise. */
export function openUpgrade(cfg: ClientConfig, path: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const url = new URL(cfg.url + path);
    const headers: Record<string, string> = { connection: "Upgrade", upgrade: "tcp" };
    if (cfg.token) headers.authorization = `Bearer ${cfg.token}`;
    const req = (url.protocol === "https:" ? https : http).request(url, { method: "GET", headers });
    req.on("upgrade", (_res, socket, head) => {
      if (head.length) socket.unshift(head);
      resolve(socket);
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("error", (e) => reject(e));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        void errorFromResponse(
          new Response(text, { status: res.statusCode ?? 500, statusText: res.statusMessage }),
          "GET",
          path,
        ).then((e) => {
          // a program that could not start exits like a shell would say (127 not found, 126 not executable)
          let exitCode: unknown;
          try {
            exitCode = (JSON.parse(text) as { error?: { details?: { exitCode?: unknown } } }).error?.details?.exitCode;
          } catch {
            exitCode = undefined;
          }
          reject(
            typeof exitCode === "number"
              ? new CliError(e.code, e.message, e.hint, { status: e.status ?? undefined, exitCode })
              : e,
          );
        });
      });
    });
    req.on("error", (e) => {
      const why = (e as NodeJS.ErrnoException).code ?? e.message;
      reject(
        new CliError(
          "unreachable",
          `The Yadokari server is not reachable at ${cfg.url} (${why}).`,
          "Start it with 'npm run up' (or 'yk server'), or point the CLI at the right server: 'yk login --url URL --token TOKEN' or YADOKARI_URL.",
          { cause: e },
        ),
      );
    });
    req.end();
  });
}

/**
 * Splits Docker's multiplexed stream: frames of an 8-byte header (byte 0 the
 * stream: 0 stdin, 1 stdout, 2 stderr; bytes 4-7 the length, big-endian)
 * and the payload. Chunks may cut frames anywhere.
 */
export class FrameDemuxer {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (stream: "stdout" | "stderr", payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + len) break;
      const type = this.buf[0];
      const payload = this.buf.subarray(8, 8 + len);
      this.buf = this.buf.subarray(8 + len);
      if (payload.length) this.onFrame(type >= 2 ? "stderr" : "stdout", payload);
    }
  }

  /** bytes of an unfinished frame (0 when the stream ended cleanly) */
  get pending(): number {
    return this.buf.length;
  }
}

/** Ends an attach with a reset, not a FIN: the server must not mistake it for the end of stdin; it stops the run. */
export function resetStream(socket: Duplex): void {
  const s = socket as Duplex & { resetAndDestroy?: () => void };
  if (s.resetAndDestroy) s.resetAndDestroy();
  else s.destroy();
}

/** The terminal a session uses: the process's own, or a fake in tests. */
export interface SessionIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: NodeJS.WritableStream & { isTTY?: boolean; rows?: number; columns?: number };
  stderr: NodeJS.WritableStream;
  /** calls fn on SIGINT/SIGTERM/SIGHUP; returns the unsubscribe */
  onSignal(fn: () => void): () => void;
  /** calls fn when the terminal is resized; returns the unsubscribe */
  onResize(fn: () => void): () => void;
}

/**
 * Wires the terminal to an attached run until the server closes the stream
 * (the container exited) or a signal interrupts. With a TTY the terminal is
 * in raw mode meanwhile (Ctrl-C goes to the container) and restored on every
 * way out. Without one, the end of stdin half-closes the stream (EOF inside).
 */
export function pumpSession(
  socket: Duplex,
  io: SessionIo,
  tty: boolean,
  onResize: () => void = () => {},
): Promise<"ended" | "interrupted"> {
  return new Promise((resolve) => {
    const undo: (() => void)[] = [];
    let finished = false;
    const finish = (how: "ended" | "interrupted") => {
      if (finished) return;
      finished = true;
      for (const u of undo.reverse()) {
        try {
          u();
        } catch {
          /* restoring the terminal must not stop the others */
        }
      }
      resolve(how);
    };

    if (tty && io.stdin.setRawMode) {
      io.stdin.setRawMode(true);
      undo.push(() => io.stdin.setRawMode?.(false));
    }
    // The server stops a TTY run whose client half-closes, so a TTY session keeps its write side open.
    io.stdin.pipe(socket, { end: !tty });
    undo.push(() => {
      io.stdin.unpipe(socket);
      io.stdin.pause();
    });

    const write = (out: NodeJS.WritableStream, d: Buffer) => {
      if (!out.write(d)) {
        socket.pause();
        out.once("drain", () => socket.resume());
      }
    };
    const demux = new FrameDemuxer((stream, payload) => write(stream === "stderr" ? io.stderr : io.stdout, payload));
    socket.on("data", (d: Buffer) => (tty ? write(io.stdout, d) : demux.push(d)));
    socket.on("error", () => {}); // 'close' follows
    socket.on("close", () => finish("ended"));

    undo.push(
      io.onSignal(() => {
        resetStream(socket);
        finish("interrupted");
      }),
    );
    if (tty) undo.push(io.onResize(onResize));
  });
}
