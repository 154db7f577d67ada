import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { TestServer, FIXTURES, appContainers, uniqueApp } from "../helpers/yadokari.js";
import { getVia, waitFor } from "../helpers/http.js";

let s: TestServer;
const app = uniqueApp("it-recover");
const host = () => `${app}.${s.domain}`;

before(async () => {
  s = await TestServer.start();
  await s.createApp(app);
  const d = await s.deploy(app, join(FIXTURES, "good"));
  assert.equal(d.status, "succeeded", JSON.stringify(d));
});
after(async () => {
  await s?.close();
});

test("the router keeps serving while the server is down", async () => {
  await s.stop();
  assert.equal((await getVia(s.httpPort, host())).body.trim(), "ok v1");
  await s.spawn();
  assert.equal((await getVia(s.httpPort, host())).body.trim(), "ok v1");
});

test("the server SIGKILLed mid-deploy converges to exactly one live release after restart", async () => {
  // never-listens keeps the deploy in its health gate long enough to kill the server there.
  const created = await s.deploy(app, join(FIXTURES, "never-listens"), { wait: false });
  await waitFor(
    "the deploy to reach its health gate",
    async () => {
      const d = (await s.api("GET", `/apps/${app}/deploys/${created.id}`)).body;
      return d.steps.some((x: any) => x.name.startsWith("gate") && x.status === "running");
    },
    60000,
  );
  assert.ok(
    (await appContainers(app)).some((c) => c.Labels["yadokari.release"] === "v2"),
    "the new release's container was started",
  );
  await s.kill();
  assert.equal((await getVia(s.httpPort, host())).body.trim(), "ok v1", "HAProxy serves while the server is dead");
  await s.spawn();
  const d = (await s.api("GET", `/apps/${app}/deploys/${created.id}`)).body;
  assert.equal(d.status, "failed");
  assert.match(d.reason, /interrupted/);
  await waitFor(
    "orphaned v2 containers removed",
    async () => (await appContainers(app)).every((c) => c.Labels["yadokari.release"] === "v1"),
    30000,
  );
  const all = await appContainers(app);
  assert.equal(all.filter((c) => c.State === "running").length, 1);
  assert.equal((await s.api("GET", `/apps/${app}`)).body.liveRelease, 1);
  assert.equal((await getVia(s.httpPort, host())).body.trim(), "ok v1");
});

test("a killed HAProxy is restarted with the same routes", async () => {
  const pid = s.routerPid();
  assert.ok(pid, "router pid file");
  process.kill(pid!, "SIGKILL");
  // The old worker can answer for a moment after its master died: wait for the new master first.
  await waitFor(
    "a new router master",
    async () => {
      const now = s.routerPid();
      return now !== null && now !== pid;
    },
    20000,
  );
  const r = await waitFor(
    "the router to answer again",
    async () => {
      const x = await getVia(s.httpPort, host()).catch(() => null);
      return x && x.status === 200 ? x : null;
    },
    20000,
  );
  assert.equal(r.body.trim(), "ok v1");
});
