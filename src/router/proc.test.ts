import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAlive, isHaproxyWithConfig, readPid, waitUntil } from "./proc.js";

test("isAlive: this process yes, an unused pid no", () => {
  assert.equal(isAlive(process.pid), true);
  assert.equal(isAlive(2 ** 22 + 1), false);
});

test("a process that is not HAProxy with our config is never ours", () => {
  assert.equal(isHaproxyWithConfig(process.pid, "/data/router/haproxy.cfg"), false);
  assert.equal(isHaproxyWithConfig(2 ** 22 + 1, "/data/router/haproxy.cfg"), false);
});

test("readPid: a number, or null for missing or garbage files", () => {
  const dir = mkdtempSync(join(tmpdir(), "yk-proc-"));
  try {
    writeFileSync(join(dir, "ok"), "1234\n");
    writeFileSync(join(dir, "bad"), "not a pid\n");
    writeFileSync(join(dir, "one"), "1\n");
    assert.equal(readPid(join(dir, "ok")), 1234);
    assert.equal(readPid(join(dir, "bad")), null);
    assert.equal(readPid(join(dir, "one")), null, "never pid 1");
    assert.equal(readPid(join(dir, "missing")), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("waitUntil is bounded", async () => {
  const t0 = Date.now();
  assert.equal(await waitUntil(() => false, 100, 10), false);
  assert.ok(Date.now() - t0 < 1000);
  let n = 0;
  assert.equal(await waitUntil(() => ++n === 3, 1000, 1), true);
});
