import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogTail, parseAccessLine } from "./access-log.js";

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

test("parseAccessLine: the fields after the escaped strings, whatever a client put in host and uri", () => {
  const line = (host: string, uri: string) =>
    `{"ts":1.2,"client":"127.0.0.1","host":${JSON.stringify(host)},"method":"GET","uri":${JSON.stringify(uri)},"status":503,"bytes":10,"backend":"app_web","server":"web-1",` +
    `"t_req":0,"t_queue":0,"t_connect":1,"t_response":42,"t_active":43,"retries":"0","term":"----","request_id":"abc"}`;
  const want = { backend: "app_web", server: "web-1", status: 503, tResponse: 42 };
  assert.deepEqual(parseAccessLine(line("a.test", "/")), want);
  assert.deepEqual(
    parseAccessLine(
      line(
        "a.test",
        '/x?","status":200,"bytes":1,"backend":"evil","server":"s","t_req":0,"t_queue":0,"t_connect":0,"t_response":1,',
      ),
    ),
    want,
  );
  assert.deepEqual(
    parseAccessLine('{"backend":"b","server":"s","status":200,"t_response":5}'),
    { backend: "b", server: "s", status: 200, tResponse: 5 },
    "another layout still parses",
  );
  assert.equal(parseAccessLine("[WARNING] something"), null);
  assert.equal(parseAccessLine('{"cut'), null);
});
