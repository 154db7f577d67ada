import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestServer, FIXTURES, ROOT, uniqueApp } from "../helpers/yadokari.js";
import { getVia, waitFor } from "../helpers/http.js";
import { ykFor } from "../helpers/git.js";
import Database from "better-sqlite3";

/**
 * Operating Yadokari itself on a real server: status, doctor, the pid file,
 * a SIGTERM during a deploy (changes refused, the deploy finishes, HAProxy
 * keeps serving), yk stop.
 */
let s: TestServer;
const web = uniqueApp("it-ops");
const shop = uniqueApp("it-opsw");
const CLI = join(ROOT, "dist/src/main/cli.js");
const yk = (...args: string[]) => ykFor(s, CLI)(...args);
let slowDir = "";

before(async () => {
  s = await TestServer.start({ env: { YADOKARI_SHUTDOWN_GRACE: "60" } });
  await s.createApp(web);
  await s.createApp(shop);
  assert.equal((await s.deploy(web, join(FIXTURES, "good"))).status, "succeeded");
  assert.equal((await s.deploy(shop, join(FIXTURES, "procfile"))).status, "succeeded");
  // an app whose build takes a few seconds: a deploy still running when SIGTERM arrives
  slowDir = mkdtempSync(join(tmpdir(), "yk-slowbuild-"));
  writeFileSync(
    join(slowDir, "Dockerfile"),
    [
      "FROM yadokari-local/busybox:1",
      `RUN sleep 4 && echo ${Date.now()} > /built`,
      "RUN mkdir -p /www && echo slow-build-ok > /www/index.html",
      'CMD ["sh", "-c", "exec httpd -f -p ${PORT:-5000} -h /www"]',
      "",
    ].join("\n"),
  );
});
after(async () => {
  await s?.close();
  if (slowDir) rmSync(slowDir, { recursive: true, force: true });
});

test("yk status: server, router, Docker, versions, every app serving", async () => {
  const r = await waitFor(
    "every app serving",
    async () => {
      const x = await yk("status");
      return x.code === 0 ? x : null;
    },
    60000,
    500,
  );
  assert.match(r.stdout, /server: +running, pid \d+, version \d+\.\d+\.\d+ \(schema \d+\)/);
  assert.match(r.stdout, /router: +running, HAProxy 2\.\d+\S* pid \d+/);
  assert.match(r.stdout, /docker: +reachable, version /);
  assert.match(r.stdout, /apps: +2\/2 serving/);
  assert.match(r.stdout, /start: +every app \(\d+\) served [\d.]+ s after the server started/);
  const j = (await s.api("GET", "/status")).body;
  assert.equal(j.server.pid, Number(readFileSync(join(s.dataDir, "server.pid"), "utf8")));
  assert.equal(j.router.pid, s.routerPid());
  assert.deepEqual(j.apps, { expected: 2, serving: 2, notServing: [] });
});

test("yk doctor: the router matches the store, Docker, apps and ports are fine; a crash-looping worker is a problem with what to do", async () => {
  const ok = await yk("doctor", "--json");
  const checks = JSON.parse(ok.stdout).checks as { name: string; status: string; detail: string; fix: string }[];
  const status = (name: string) => checks.filter((c) => c.name === name).map((c) => c.status);
  assert.deepEqual(status("docker"), ["ok"]);
  assert.deepEqual(status("router"), ["ok"], JSON.stringify(checks.filter((c) => c.name === "router")));
  assert.deepEqual(status("apps"), ["ok"]);
  assert.deepEqual([...new Set(status("ports"))], ["ok"]);
  assert.ok(status("disk").length >= 1);
  assert.deepEqual(status("dns"), ["warn"], "yk.test resolves nowhere");
  assert.deepEqual(status("backups"), ["warn"], "no backup yet");

  assert.equal((await s.api("PATCH", `/apps/${shop}/config`, { set: { WORKER_CRASH: "1" } })).status, 200);
  const bad = await waitFor(
    "doctor to see the crash loop",
    async () => {
      const r = await yk("doctor");
      return r.code !== 0 && r.stdout.includes(`${shop}: its live release is not fully running (worker 0/1 running)`)
        ? r
        : null;
    },
    60000,
    1000,
  );
  assert.match(bad.stdout, /FAIL apps/);
  assert.match(bad.stdout, new RegExp(`yk ps -a ${shop}`));
  assert.match(bad.stderr, /problems found/);
  const fixed = await s.api("PATCH", `/apps/${shop}/config`, { unset: ["WORKER_CRASH"] });
  assert.equal(fixed.status, 200);
  const latest = (await s.api("GET", `/apps/${shop}/deploys`)).body[0];
  assert.equal((await s.waitDeploy(shop, latest.id)).status, "succeeded");
});

test("one server per data dir: a second one is refused", async () => {
  const r = await ykFor(s, CLI)(
    "server",
    "--data-dir",
    s.dataDir,
    "--api-listen",
    "127.0.0.1:1",
    "--http-listen",
    "127.0.0.1:1",
    "--https-listen",
    "off",
  );
  assert.equal(r.code, 1);
  assert.match(r.stderr, /another Yadokari server \(pid \d+\) runs with this data directory/);
});

test("SIGTERM during a deploy: a log line, changes refused with 503, the deploy finishes, a queued one stays queued and runs after the restart, the pid file goes, HAProxy keeps serving", async () => {
  const slow = uniqueApp("it-opsl");
  await s.createApp(slow);
  const started = await s.deploy(slow, slowDir, { wait: false });
  await waitFor(
    "the deploy to be building",
    async () => (await s.api("GET", `/apps/${slow}/deploys/${started.id}`)).body.status === "building",
    30000,
  );
  // a second deploy of the same app waits for the first one's turn: queued
  const queued = await s.deploy(slow, slowDir, { wait: false });
  assert.equal((await s.api("GET", `/apps/${slow}/deploys/${queued.id}`)).body.status, "queued");
  const exited = new Promise<number | null>((r) => s.child!.once("exit", (code) => r(code)));
  s.child!.kill("SIGTERM");
  const refused = await waitFor(
    "a change to be refused",
    async () => {
      const r = await s.api("POST", "/apps", { name: uniqueApp("it-opsx") });
      return r.status === 503 ? r : null;
    },
    5000,
    50,
  );
  assert.equal(refused.body.error.code, "shutting_down");
  assert.equal((await s.api("GET", "/status")).body.server.draining, true, "reads still answer");
  assert.equal(await exited, 0);
  const log = readFileSync(s.logPath, "utf8");
  assert.match(
    log,
    /SIGTERM received: stopping \(no new deploys; running ones get up to 60 s to reach a recorded step\)/,
  );
  assert.match(log, new RegExp(`waiting up to 60 s for deploys of .*${slow}.* to finish`));
  assert.match(log, new RegExp(`queued deploys of ${slow} stay queued: the next server runs them`));
  assert.match(log, /stopped in [\d.]+ s/);
  // the store, as the server left it: the first deploy finished, the second never started
  const db = new Database(join(s.dataDir, "yadokari.db"), { readonly: true });
  const statusOf = (id: number) =>
    (db.prepare("SELECT status FROM deploys WHERE id = ?").get(id) as { status: string }).status;
  assert.equal(statusOf(started.id), "succeeded");
  assert.equal(statusOf(queued.id), "queued", "a queued deploy does not start while the server stops");
  db.close();
  assert.equal(existsSync(join(s.dataDir, "server.pid")), false);
  assert.equal((await getVia(s.httpPort, `${web}.${s.domain}`)).status, 200, "HAProxy serves without the server");

  await s.spawn();
  const d = (await s.api("GET", `/apps/${slow}/deploys/${started.id}`)).body;
  assert.equal(d.status, "succeeded", "the deploy finished before the server exited");
  assert.equal((await getVia(s.httpPort, `${slow}.${s.domain}`)).body.trim(), "slow-build-ok");
  const after = await s.waitDeploy(slow, queued.id);
  assert.equal(after.status, "succeeded", "the queued deploy ran after the restart");
  assert.equal((await s.api("GET", `/apps/${slow}`)).body.liveRelease, after.releaseVersion);
});

test("yk stop stops the server (HAProxy keeps serving); status then says so and exits 1", async () => {
  const r = await yk("stop", "--data-dir", s.dataDir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Stopped in [\d.]+ s/);
  await waitFor("the server to exit", async () => s.child!.exitCode !== null, 10000);
  const st = await yk("status", "--data-dir", s.dataDir);
  assert.equal(st.code, 1);
  assert.match(st.stdout, /server: +NOT RUNNING/);
  assert.match(st.stdout, /router: +running, HAProxy pid \d+ \(apps keep being served\)/);
  assert.equal((await getVia(s.httpPort, `${web}.${s.domain}`)).status, 200);
  const again = await yk("stop", "--data-dir", s.dataDir);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /no Yadokari server runs with the data directory/);
  await s.spawn(); // close() in after() stops it and removes what it made
});
