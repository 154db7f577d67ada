import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough, Duplex } from "node:stream";
import { FrameDemuxer, pumpSession, type SessionIo } from "./attach.js";

const frame = (type: number, text: string) => {
  const payload = Buffer.from(text);
  const h = Buffer.alloc(8);
  h[0] = type;
  h.writeUInt32BE(payload.length, 4);
  return Buffer.concat([h, payload]);
};

test("Docker's frames are split into stdout and stderr, whatever the chunking", () => {
  const all = Buffer.concat([frame(1, "out\n"), frame(2, "err\n"), frame(1, ""), frame(1, "é end")]);
  for (const size of [1, 3, 7, 8, 9, all.length]) {
    const got: string[] = [];
    const d = new FrameDemuxer((s, p) => got.push(`${s}:${p.toString("latin1")}`));
    for (let i = 0; i < all.length; i += size) d.push(all.subarray(i, i + size));
    assert.deepEqual(
      got.join("|"),
      `stdout:out\n|stderr:err\n|stdout:${Buffer.from("é end").toString("latin1")}`,
      `chunks of ${size}`,
    );
    assert.equal(d.pending, 0);
  }
});

/** A socket stand-in: what the session writes is collected; `server` pushes what the server would send. */
function fakeSocket() {
  const written: Buffer[] = [];
  let ended = false;
  const sock = new Duplex({
    read() {},
    write(chunk, _enc, cb) {
      written.push(chunk as Buffer);
      cb();
    },
    final(cb) {
      ended = true;
      cb();
    },
  });
  return { sock, written, ended: () => ended };
}

function fakeIo(tty: boolean) {
  const stdin = Object.assign(new PassThrough(), {
    isTTY: tty,
    raw: [] as boolean[],
    setRawMode(r: boolean) {
      this.raw.push(r);
    },
  });
  const out: string[] = [];
  const err: string[] = [];
  const stdout = Object.assign(new PassThrough(), { isTTY: tty, rows: 24, columns: 80 });
  const stderr = new PassThrough();
  stdout.on("data", (d) => out.push(String(d)));
  stderr.on("data", (d) => err.push(String(d)));
  let signal: (() => void) | null = null;
  const io: SessionIo = {
    stdin,
    stdout,
    stderr,
    onSignal: (fn) => ((signal = fn), () => (signal = null)),
    onResize: () => () => {},
  };
  return { io, stdin, out, err, fire: () => signal?.() };
}

test("without a TTY: stdin is forwarded then half-closed, output demultiplexed, the session ends with the stream", async () => {
  const { sock, written, ended } = fakeSocket();
  const f = fakeIo(false);
  const done = pumpSession(sock, f.io, false);
  f.stdin.end("hello");
  sock.push(Buffer.concat([frame(1, "out\n"), frame(2, "err\n")]));
  await new Promise((r) => setImmediate(r));
  sock.push(null);
  sock.destroy();
  assert.equal(await done, "ended");
  assert.equal(Buffer.concat(written).toString(), "hello");
  assert.ok(ended(), "the end of stdin half-closes the stream");
  assert.equal(f.out.join(""), "out\n");
  assert.equal(f.err.join(""), "err\n");
  assert.deepEqual(f.stdin.raw, [], "no raw mode without a TTY");
});

test("with a TTY: raw mode while attached and restored after; bytes pass as they are; never half-closed", async () => {
  const { sock, ended } = fakeSocket();
  const f = fakeIo(true);
  const done = pumpSession(sock, f.io, true);
  assert.deepEqual(f.stdin.raw, [true]);
  f.stdin.end("x");
  sock.push(frame(1, "raw"));
  await new Promise((r) => setImmediate(r));
  sock.destroy();
  assert.equal(await done, "ended");
  assert.deepEqual(f.stdin.raw, [true, false]);
  assert.ok(!ended(), "a TTY session keeps its write side open");
  assert.equal(f.out.join(""), frame(1, "raw").toString(), "TTY output is not demultiplexed");
});

test("a signal restores the terminal and reports the interruption", async () => {
  const { sock } = fakeSocket();
  const f = fakeIo(true);
  const done = pumpSession(sock, f.io, true);
  f.fire();
  assert.equal(await done, "interrupted");
  assert.deepEqual(f.stdin.raw, [true, false]);
  assert.ok(sock.destroyed);
});
