import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { TestServer, FIXTURES, ROOT, uniqueApp } from "../helpers/yadokari.js";
import { getVia, waitFor } from "../helpers/http.js";
import { keepAliveLoad } from "../helpers/load.js";
import { run } from "../../src/lib/run.js";

let s: TestServer;
const CLI = join(ROOT, "dist/src/main/cli.js");
const FLAKY = join(FIXTURES, "flaky");
const yk = (...args: string[]) => {
  const env: NodeJS.ProcessEnv = { ...process.env, YADOKARI_URL: s.url, YADOKARI_TOKEN: s.token, YADOKARI_CONFIG: join(s.dataDir, "cli.json") };
  delete env.YADOKARI_APP;
  return run(process.execPath, [CLI, ...args], { env, timeoutMs: 120000 });
};

before(async () => {
  s = await TestServer.start({ env: { YADOKARI_METRICS_INTERVAL_MS: "1000" } });
});
after(async () => {
  await s?.close();
});

test("metrics: requests, 5xx and latency per release, from the router", async () => {
  const app = uniqueApp("it-metrics");
  await s.createApp(app);
  assert.equal((await s.api("PATCH", `/apps/${app}/config`, { set: { FAIL_RATE: "0.1", DELAY_MS: "20" }, restart: false })).status, 200);
  const d = await s.deploy(app, FLAKY);
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  const host = `${app}.${s.domain}`;
  await waitFor("the app", async () => (await getVia(s.httpPort, host)).status !== 503);
  const load = keepAliveLoad({ port: s.httpPort, host, connections: 4, maxRequests: 400, maxMs: 30000 });
  const r = await load.done;
  assert.equal(r.sent, 400);
  const m = await waitFor("the metrics to count 400 requests", async () => {
    const body = (await s.api("GET", `/apps/${app}/metrics?since=10m`)).body;
    return body.releases?.[0]?.window.requests >= 400 ? body : null;
  }, 15000, 500);
  const w = m.releases[0].window;
  assert.equal(m.releases[0].release, 1);
  assert.equal(m.releases[0].live, true);
  // the health checks of the gate come from the server, not through the router
  assert.ok(w.requests >= 400 && w.requests <= 402, JSON.stringify(w));
  assert.ok(w.errors5xx >= 39 && w.errors5xx <= 41, JSON.stringify(w));
  assert.ok(w.p95Ms >= 15 && w.p95Ms <= 80, JSON.stringify(w));
  assert.ok(w.latencySamples >= 400, JSON.stringify(w));
  const cli = await yk("metrics", "-a", app, "--since", "10m");
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /v1 \(live\)\s+1m/);
  const bad = await s.api("GET", `/apps/${app}/metrics?since=2d`);
  assert.equal(bad.status, 400);
});
