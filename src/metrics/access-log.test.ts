import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogTail } from "./access-log.js";

test("LogTail: starts at the end, returns whole new lines, starts over after a truncation, bounds a read", () => {
  const dir = mkdtempSync(join(tmpdir(), "yk-tail-"));
  try {
    const f = join(dir, "haproxy.log");
    const t = new LogTail(f, 64);
    assert.deepEqual(t.read(), []); // no file yet
    writeFileSync(f, "history\n");
    assert.deepEqual(t.read(), []);
    appendFileSync(f, "one\ntw");
    assert.deepEqual(t.read(), ["one"]);
    appendFileSync(f, "o\n");
    assert.deepEqual(t.read(), ["two"]);
    truncateSync(f, 0);
    appendFileSync(f, "three\n");
    assert.deepEqual(t.read(), ["three"]);
    appendFileSync(f, "x".repeat(100) + "\n" + "four\n");
    assert.deepEqual(t.read(), ["four"]); // the cut line is dropped
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
