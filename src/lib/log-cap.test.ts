import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, openSync, writeSync, closeSync, readFileSync, statSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { capLogFile } from "./log-cap.js";

test("a log past its cap is kept as .1 and the writer goes on at the start of the file", () => {
  const dir = mkdtempSync(join(tmpdir(), "yk-logcap-"));
  try {
    const path = join(dir, "haproxy.log");
    const fd = openSync(path, "a");
    writeSync(fd, "x".repeat(100) + "\n");
    assert.equal(capLogFile(path, 1000), false);
    writeSync(fd, "y".repeat(1000) + "\n");
    assert.equal(capLogFile(path, 1000), true);
    assert.equal(statSync(path).size, 0);
    assert.equal(readFileSync(`${path}.1`, "utf8").length, 1102);
    writeSync(fd, "after\n");
    closeSync(fd);
    assert.equal(readFileSync(path, "utf8"), "after\n", "O_APPEND writes land at the new end, no hole");
    assert.equal(capLogFile(join(dir, "missing.log"), 10), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
