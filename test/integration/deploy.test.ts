import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { TestServer, FIXTURES, appContainers, uniqueApp, docker } from "../helpers/yadokari.js";
import { getVia, waitFor } from "../helpers/http.js";
import { keepAliveLoad } from "../helpers/load.js";

let s: TestServer;
const app = uniqueApp("it-deploy");
const host = () => `${app}.${s.domain}`;

before(async () => {
  s = await TestServer.start();
  await s.createApp(app);
});
after(async () => {
  await s?.close();
});

const runningWeb = async () =>
  (await appContainers(app)).filter((c) => c.State === "running" && c.Labels["yadokari.process"] === "web");

test("create + first deploy: the app answers at <app>.<domain> through the router", async () => {
  const d = await s.deploy(app, join(FIXTURES, "good"));
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  assert.equal(d.releaseVersion, 1);
  assert.deepEqual(d.steps.map((x: any) => x.name).slice(0, 5), [
    "build",
    "start web-1",
    "gate web-1",
    "commit",
    "route web-1",
  ]);
  const r = await getVia(s.httpPort, host());
  assert.equal(r.status, 200);
  assert.equal(r.body.trim(), "ok v1");
  const info = (await s.api("GET", `/apps/${app}`)).body;
  assert.equal(info.liveRelease, 1);
  assert.equal(info.status, "running");
  const containers = await runningWeb();
  assert.equal(containers.length, 1);
  assert.equal(containers[0].Labels["yadokari.release"], "v1");
});

// What the app itself receives (X-Forwarded-*, the request id) is checked in router.test.ts.
test("the router answers with a request id, and an unknown host gets the router's 404", async () => {
  const unknown = await getVia(s.httpPort, "nobody.yk.test");
  assert.equal(unknown.status, 404);
  assert.doesNotMatch(unknown.body, /ok v/);
  const r = await getVia(s.httpPort, host());
  assert.equal(r.status, 200);
  assert.match(String(r.headers["x-request-id"]), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});

test("a redeploy of 2 replicas under keep-alive load fails no request and moves all traffic", async () => {
  assert.equal((await s.api("PATCH", `/apps/${app}`, { webReplicas: 2 })).status, 200);
  const load = keepAliveLoad({ port: s.httpPort, host: host(), connections: 8, maxRequests: 200000, maxMs: 90000 });
  await new Promise((r) => setTimeout(r, 300));
  const d = await s.deploy(app, join(FIXTURES, "good"));
  await new Promise((r) => setTimeout(r, 300));
  const res = await load.stop();
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  assert.ok(res.sent > 100, `only ${res.sent} requests were sent`);
  assert.equal(res.failed, 0, `failed requests: ${res.failures.join("; ")}`);
  assert.equal((await getVia(s.httpPort, host())).body.trim(), `ok v${d.releaseVersion}`);
  // the old containers are drained and stopped off the live path
  await waitFor(
    "old containers removed",
    async () => {
      const all = await appContainers(app);
      return all.length === 2 && all.every((c) => c.Labels["yadokari.release"] === `v${d.releaseVersion}`);
    },
    30000,
  );
});

for (const [fixture, expect] of [
  ["unhealthy", /did not pass its health check .*answered 500/],
  ["exits", /exited with code 1/],
] as const) {
  test(`a release that ${fixture === "exits" ? "exits" : "fails its health check"} never takes traffic; the live one keeps serving`, async () => {
    const before = (await s.api("GET", `/apps/${app}`)).body.liveRelease;
    const load = keepAliveLoad({ port: s.httpPort, host: host(), connections: 4, maxRequests: 100000, maxMs: 120000 });
    const d = await s.deploy(app, join(FIXTURES, fixture));
    const res = await load.stop();
    assert.equal(d.status, "failed");
    assert.match(d.reason, expect);
    if (fixture === "exits") assert.match(d.containerLog ?? "", /fatal: missing DATABASE_URL/);
    assert.equal(res.failed, 0, res.failures.join("; "));
    assert.deepEqual([...res.bodies.keys()], [`ok v${before}`]);
    const after = (await s.api("GET", `/apps/${app}`)).body;
    assert.equal(after.liveRelease, before);
    const all = await appContainers(app);
    assert.ok(
      all.every((c) => c.Labels["yadokari.release"] === `v${before}`),
      "the failed release's containers are removed",
    );
  });
}

test("a Dockerfile with an error fails the build and changes nothing", async () => {
  const releasesBefore = (await s.api("GET", `/apps/${app}/releases`)).body.length;
  const d = await s.deploy(app, join(FIXTURES, "bad-dockerfile"));
  assert.equal(d.status, "failed");
  assert.match(d.reason, /build failed/);
  assert.equal((await s.api("GET", `/apps/${app}/releases`)).body.length, releasesBefore);
  const log = await fetch(`${s.url}/api/v1/apps/${app}/deploys/${d.id}/log`, {
    headers: { authorization: `Bearer ${s.token}` },
  }).then((r) => r.text());
  assert.match(log, /Deploy failed/);
  assert.equal((await getVia(s.httpPort, host())).status, 200);
});

test("custom domains route to the app and can be removed", async () => {
  const add = await s.api("POST", `/apps/${app}/domains`, { hostname: "WWW.It-Example.test" });
  assert.equal(add.status, 201);
  assert.equal((await getVia(s.httpPort, "www.it-example.test")).status, 200);
  assert.equal((await s.api("POST", `/apps/${app}/domains`, { hostname: "bad_host!" })).status, 422);
  assert.equal((await s.api("DELETE", `/apps/${app}/domains/www.it-example.test`)).status, 200);
  assert.equal((await getVia(s.httpPort, "www.it-example.test")).status, 404);
});

test("a crashed web container is replaced", async () => {
  const [victim] = await runningWeb();
  await docker.getContainer(victim.Id).kill({ signal: "SIGKILL" });
  await waitFor(
    "a replacement container routed",
    async () => {
      const ps = (await s.api("GET", `/apps/${app}/ps`)).body as any[];
      return ps.filter((c) => c.state === "running" && c.routed).length === 2 &&
        !ps.some((c) => c.id === victim.Id.slice(0, 12))
        ? ps
        : null;
    },
    30000,
  );
  assert.equal((await getVia(s.httpPort, host())).status, 200);
});

test("bad input: invalid app names get 422 with the rule; no token gets 401", async () => {
  const r = await s.api("POST", "/apps", { name: "Bad_Name" });
  assert.equal(r.status, 422);
  assert.match(r.body.error.message, /lowercase DNS label/);
  assert.ok(r.body.error.hint);
  const anon = await fetch(`${s.url}/api/v1/apps`);
  assert.equal(anon.status, 401);
  assert.equal((await fetch(`${s.url}/api/v1/health`)).status, 200);
  const doc = await fetch(`${s.url}/api/openapi.json`).then((x) => x.json() as any);
  assert.ok(doc.paths["/api/v1/apps/{app}/builds"]);
});

test("destroying an app removes its containers, images, routes and records", async () => {
  const other = uniqueApp("it-destroy");
  await s.createApp(other);
  const d = await s.deploy(other, join(FIXTURES, "good"));
  assert.equal(d.status, "succeeded");
  assert.equal((await getVia(s.httpPort, `${other}.${s.domain}`)).status, 200);
  assert.equal((await s.api("DELETE", `/apps/${other}`)).status, 200);
  assert.equal((await appContainers(other)).length, 0);
  assert.equal((await docker.listImages({ filters: { label: [`yadokari.app=${other}`] } })).length, 0);
  assert.equal((await getVia(s.httpPort, `${other}.${s.domain}`)).status, 404);
  assert.equal((await s.api("GET", `/apps/${other}`)).status, 404);
});
