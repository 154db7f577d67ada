import { test } from "node:test";
import assert from "node:assert/strict";
import { uploadProgress } from "./progress.js";

const MB = 1024 * 1024;

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

test("an upload that ends within a second prints nothing", () => {
  const c = clock();
  let out = "";
  const p = uploadProgress({ isTTY: true, write: (s) => void (out += s) }, 10 * MB, c.now);
  p.update(5 * MB);
  c.advance(900);
  p.update(10 * MB);
  p.done();
  assert.equal(out, "");
});

test("on a terminal, a longer upload redraws one line, then says how long it took", () => {
  const c = clock();
  let out = "";
  const p = uploadProgress({ isTTY: true, write: (s) => void (out += s) }, 10 * MB, c.now);
  c.advance(1200);
  p.update(3 * MB);
  c.advance(100);
  p.update(5 * MB);
  c.advance(700);
  p.done();
  assert.equal(
    out,
    "\rUploading: 30% (3.0 MB of 10.0 MB)\x1b[K\rUploading: 50% (5.0 MB of 10.0 MB)\x1b[K\rUploaded 10.0 MB in 2.0 s\x1b[K\n",
  );
});

test("without a terminal, plain lines at most once a second", () => {
  const c = clock();
  let out = "";
  const p = uploadProgress({ isTTY: false, write: (s) => void (out += s) }, 4 * MB, c.now);
  c.advance(1000);
  p.update(1 * MB);
  c.advance(200);
  p.update(2 * MB);
  c.advance(900);
  p.update(3 * MB);
  p.done();
  assert.equal(out, "Uploading: 25% (1.0 MB of 4.0 MB)\nUploading: 75% (3.0 MB of 4.0 MB)\nUploaded 4.0 MB in 2.1 s\n");
  assert.doesNotMatch(out, /\r|\x1b/);
});
