import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TestServer, FIXTURES, uniqueApp } from "../helpers/yadokari.js";
import { getVia } from "../helpers/http.js";

// `--access-log off` (YADOKARI_ACCESS_LOG=off): the router logs nothing per
// request, which bench:router shows is worth requests/s; apps are served the same.
let s: TestServer;
const app = uniqueApp("it-nolog");

before(async () => {
  s = await TestServer.start({ env: { YADOKARI_ACCESS_LOG: "off" } });
  await s.createApp(app);
});
after(async () => {
  await s?.close();
});

test("with the access log off, the router serves the app, renders no log and writes no request line", async () => {
  const d = await s.deploy(app, join(FIXTURES, "good"));
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  for (let i = 0; i < 20; i++) {
    const r = await getVia(s.httpPort, `${app}.${s.domain}`);
    assert.equal(r.status, 200);
    assert.match(String(r.headers["x-request-id"]), /^[0-9a-f-]{36}$/, "the request id does not depend on the log");
  }
  const cfg = readFileSync(join(s.dataDir, "router", "haproxy.cfg"), "utf8");
  assert.doesNotMatch(cfg, /log-format|log stdout/);
  const log = readFileSync(join(s.dataDir, "router", "haproxy.log"), "utf8");
  assert.doesNotMatch(log, new RegExp(`"host":"${app}\\.`), "no access log line for the app's requests");
});
