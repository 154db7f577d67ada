import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { TestServer, FIXTURES, appContainers, uniqueApp } from "../helpers/yadokari.js";
import { getVia, waitFor } from "../helpers/http.js";
import { keepAliveLoad } from "../helpers/load.js";

let s: TestServer;
const app = uniqueApp("it-model");
const host = () => `${app}.${s.domain}`;
const running = async (process: string) =>
  (await appContainers(app)).filter((c) => c.State === "running" && c.Labels["yadokari.process"] === process);
const formation = async () =>
  (await s.api("GET", `/apps/${app}/formation`)).body as { stopped: boolean; processes: any[] };
const deployLog = (id: number) =>
  fetch(`${s.url}/api/v1/apps/${app}/deploys/${id}/log`, { headers: { authorization: `Bearer ${s.token}` } }).then(
    (r) => r.text(),
  );

async function configChange(body: object): Promise<any> {
  const r = await s.api("PATCH", `/apps/${app}/config`, body);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.deploy ? s.waitDeploy(app, r.body.deploy.id) : null;
}

before(async () => {
  s = await TestServer.start({ env: { YADOKARI_KEEP_RELEASES: "4" } });
  await s.createApp(app);
});
after(async () => {
  await s?.close();
});

test("a Procfile app with web, worker and release deploys with one command", async () => {
  const d = await s.deploy(app, join(FIXTURES, "procfile"));
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  const log = await deployLog(d.id);
  assert.match(log, /Release phase: node migrate.js/);
  assert.match(log, /migrating database for v1/);
  assert.ok(
    log.indexOf("migrations done") < log.indexOf("Starting 1 web"),
    "the release phase runs before any new container",
  );
  assert.equal((await running("web")).length, 2);
  assert.equal((await running("worker")).length, 1);
  assert.equal((await running("release")).length, 0, "the release-phase container is removed");
  const f = await formation();
  assert.deepEqual(f.processes.map((p) => [p.type, p.quantity, p.running]).sort(), [
    ["web", 2, 2],
    ["worker", 1, 1],
  ]);
  assert.equal((await getVia(s.httpPort, host())).body.trim(), "ok v1");
  const cron = (await s.api("GET", `/apps/${app}/cron`)).body as any[];
  assert.deepEqual(
    cron.map((j) => [j.name, j.schedule]),
    [["nightly-report", "0 3 * * *"]],
  );
  assert.match(cron[0].nextRun, /T03:00:00/);
});

test("a failing release phase aborts the deploy: no new container, the live release untouched", async () => {
  const before = (await appContainers(app)).map((c) => c.Id).sort();
  const d = await configChange({ set: { FAIL_RELEASE: "1" } });
  assert.equal(d.status, "failed");
  assert.match(d.reason, /release phase \(node migrate.js\) exited with code 4/);
  assert.match(await deployLog(d.id), /relation "users" already exists/);
  assert.equal((await s.api("GET", `/apps/${app}`)).body.liveRelease, 1);
  assert.deepEqual((await appContainers(app)).map((c) => c.Id).sort(), before);
  const ok = await configChange({ unset: ["FAIL_RELEASE"] });
  assert.equal(ok.status, "succeeded", JSON.stringify(ok));
});

test("4 replicas, maxSurge 1: a rolling deploy under load keeps ≥ 4 routed and ≤ 5 running, and fails no request", async () => {
  assert.equal((await s.api("PATCH", `/apps/${app}/formation`, { web: 4 })).status, 200);
  await waitFor(
    "4 routed web containers",
    async () =>
      (await s.api("GET", `/apps/${app}/ps`)).body.filter(
        (c: any) => c.process === "web" && c.routed && c.state === "running",
      ).length === 4,
    60000,
  );
  const load = keepAliveLoad({ port: s.httpPort, host: host(), connections: 8, maxRequests: 300000, maxMs: 120000 });
  let minRouted = Infinity;
  let maxRunning = 0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const ps = (await s.api("GET", `/apps/${app}/ps`)).body as any[];
      const web = ps.filter((c) => c.process === "web" && c.state === "running");
      minRouted = Math.min(minRouted, web.filter((c) => c.routed).length);
      maxRunning = Math.max(maxRunning, web.length);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const d = await configChange({ set: { ROLLING: "yes" } });
  await new Promise((r) => setTimeout(r, 8000)); // the last batch's old container drains and stops off the live path
  polling = false;
  await poller;
  const res = await load.stop();
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  assert.equal(d.steps.filter((x: any) => x.name.startsWith("gate web-")).length, 4, "four batches of one");
  assert.equal(res.failed, 0, res.failures.join("; "));
  assert.ok(minRouted >= 4, `routed web containers fell to ${minRouted}`);
  assert.ok(maxRunning <= 5, `running web containers rose to ${maxRunning}`);
  // surfaced as test diagnostics: the figures the issue asks for
  console.log(
    `# rolling 4 replicas maxSurge 1: requests ${res.sent}, failed ${res.failed}, min routed ${minRouted}, max running ${maxRunning}`,
  );
});

test("ps:scale up and down; workers are replaced on deploy and stop gracefully", async () => {
  assert.equal((await s.api("PATCH", `/apps/${app}/formation`, { web: 2, worker: 2 })).status, 200);
  await waitFor(
    "2 web, 2 workers",
    async () => (await running("web")).length === 2 && (await running("worker")).length === 2,
    60000,
  );
  const bad = await s.api("PATCH", `/apps/${app}/formation`, { nosuch: 1 });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /not in the live release/);
  assert.equal((await s.api("PATCH", `/apps/${app}/formation`, { worker: 51 })).status, 400);
  const oldWorkers = (await running("worker")).map((c) => c.Id);
  const r = await s.api("POST", `/apps/${app}/ps/restart`, { type: "worker" });
  assert.equal(r.status, 202);
  assert.equal((await s.waitDeploy(app, r.body.id)).status, "succeeded");
  await waitFor(
    "old workers replaced",
    async () => {
      const now = (await running("worker")).map((c) => c.Id);
      return now.length === 2 && now.every((id) => !oldWorkers.includes(id));
    },
    30000,
  );
  const logs = await waitFor(
    "a worker heartbeat in the logs",
    async () => {
      const text = await fetch(`${s.url}/api/v1/apps/${app}/logs?tail=500&process=worker`, {
        headers: { authorization: `Bearer ${s.token}` },
      }).then((x) => x.text());
      return /worker\.yk-.* \| worker v\d+ heartbeat/.test(text) ? text : null;
    },
    10000,
  );
  assert.doesNotMatch(logs, /web\./, "--process filters");
});

test("rollback restores the old config under load with 0 failed requests", async () => {
  const a = await configChange({ set: { COLOR: "blue" } });
  const b = await configChange({ set: { COLOR: "green" } });
  assert.equal((await getVia(s.httpPort, host(), "/env/COLOR")).body, "green");
  const load = keepAliveLoad({ port: s.httpPort, host: host(), connections: 8, maxRequests: 300000, maxMs: 90000 });
  const r = await s.api("POST", `/apps/${app}/rollback`, { version: `v${a.releaseVersion}` });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const d = await s.waitDeploy(app, r.body.id);
  const res = await load.stop();
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  assert.equal(res.failed, 0, res.failures.join("; "));
  assert.equal((await getVia(s.httpPort, host(), "/env/COLOR")).body, "blue");
  const rel = (await s.api("GET", `/apps/${app}/releases/v${d.releaseVersion}`)).body;
  assert.equal(rel.description, `Rollback to v${a.releaseVersion}`);
  assert.deepEqual((await s.api("GET", `/apps/${app}/config`)).body.COLOR, "blue");
  assert.ok(b.releaseVersion > a.releaseVersion);
  console.log(`# rollback under load: requests ${res.sent}, failed ${res.failed}`);
});

test("only the last releases keep their image; rolling back to a collected one is refused", async () => {
  const d = await s.deploy(app, join(FIXTURES, "procfile")); // same source: same image tag as v1, kept while in use
  assert.equal(d.status, "succeeded");
  // the env fixture is a different image; after it and 4 more releases the procfile image is no longer kept
  for (let i = 0; i < 2; i++) assert.equal((await s.deploy(app, join(FIXTURES, "env"))).status, "succeeded");
  for (let i = 0; i < 3; i++) assert.equal((await configChange({ set: { N: String(i) } })).status, "succeeded");
  const first = (await s.api("GET", `/apps/${app}/releases/v1`)).body;
  assert.equal(first.imageAvailable, false);
  const r = await s.api("POST", `/apps/${app}/rollback`, { version: 1 });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.code, "image_gone");
  assert.equal((await s.api("POST", `/apps/${app}/rollback`, { version: "v999" })).status, 404);
  assert.equal((await s.api("POST", `/apps/${app}/rollback`, { version: "seven" })).status, 400);
});

test("a crash-looping worker backs off and shows as a crash loop instead of spinning", async () => {
  // the env fixture has no Procfile: deploy the procfile app again so there is a worker
  assert.equal((await s.deploy(app, join(FIXTURES, "procfile"))).status, "succeeded");
  const d = await configChange({ set: { WORKER_CRASH: "1" } });
  assert.equal(d.status, "succeeded", "workers have no gate: the deploy goes live");
  const worker = await waitFor(
    "the worker to be seen crash-looping",
    async () => {
      const p = (await formation()).processes.find((x) => x.type === "worker");
      return p && p.crashLoop ? p : null;
    },
    60000,
  );
  assert.equal(worker.lastExitCode, 3);
  const restartsThen = worker.restarts;
  await new Promise((r) => setTimeout(r, 6000));
  const later = (await formation()).processes.find((x) => x.type === "worker");
  assert.ok(
    later.restarts - restartsThen <= 3,
    `restarted ${later.restarts - restartsThen} times in 6 s: the backoff does not hold`,
  );
  assert.equal((await s.api("GET", `/apps/${app}`)).body.status, "crashed");
  assert.equal((await getVia(s.httpPort, host())).status, 200, "web keeps serving");
  await configChange({ unset: ["WORKER_CRASH"] });
});

test("hostile values in every field are refused with the rule, and nothing changes", async () => {
  const before = (await s.api("GET", `/apps/${app}/releases`)).body.length;
  const hostile = ["a;touch /tmp/yk-pwned", "../x", "$(id)", "a\nb", "`id`", "x".repeat(300)];
  // a malformed value is 400 invalid_request naming the field; an app name breaking its rule is 422 invalid_name
  const status = async (method: string, path: string, body?: unknown) => {
    const r = await s.api(method, path, body);
    return `${r.status} ${r.body?.error?.code}`;
  };
  for (const v of hostile) {
    const q = encodeURIComponent(v);
    assert.equal(await status("PATCH", `/apps/${app}/formation`, { [v]: 1 }), "400 invalid_request", `scale ${q}`);
    assert.equal(await status("GET", `/apps/${app}/releases/${q}`), "400 invalid_request", `release ${q}`);
    assert.equal(await status("GET", `/apps/${app}/logs?process=${q}`), "400 invalid_request", `logs ${q}`);
    assert.equal(await status("POST", `/apps/${app}/ps/restart`, { type: v }), "400 invalid_request", `restart ${q}`);
    assert.equal(
      await status("PATCH", `/apps/${app}/deploy-settings`, { maxSurge: v }),
      "400 invalid_request",
      `maxSurge ${q}`,
    );
    assert.equal(await status("GET", `/apps/${q}`), "422 invalid_name", `app ${q}`);
  }
  assert.equal((await s.api("GET", `/apps/${app}/releases`)).body.length, before);
  const { existsSync } = await import("node:fs");
  assert.equal(existsSync("/tmp/yk-pwned"), false);
});
