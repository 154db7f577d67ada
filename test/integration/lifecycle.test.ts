import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestServer, FIXTURES, ROOT, uniqueApp } from "../helpers/yadokari.js";
import { getVia, waitFor } from "../helpers/http.js";
import { ykFor } from "../helpers/git.js";

/**
 * The deploy lifecycle end to end: nothing about an app changes until its
 * deploy commits, the deploys table is a durable queue (a newer queued deploy
 * supersedes an older one, across a server restart too), and bad bodies are
 * refused before anything runs.
 */
let s: TestServer;
const CLI = join(ROOT, "dist/src/main/cli.js");
const yk = (...args: string[]) => ykFor(s, CLI)(...args);
/** An empty directory mounted over an app's /app hides its code: its containers exit at once. */
const storageRoot = mkdtempSync(join(tmpdir(), "yk-it-lifecycle-"));

before(async () => {
  s = await TestServer.start({ env: { YADOKARI_STORAGE_ROOTS: storageRoot } });
});
after(async () => {
  await s?.close();
  rmSync(storageRoot, { recursive: true, force: true });
});

const config = async (app: string) => (await s.api("GET", `/apps/${app}/config`)).body as Record<string, string>;
const info = async (app: string) => (await s.api("GET", `/apps/${app}`)).body;
const liveRelease = async (app: string) =>
  ((await s.api("GET", `/apps/${app}/releases`)).body as any[]).find((r) => r.live);

async function configChange(app: string, set: Record<string, string>) {
  const r = await s.api("PATCH", `/apps/${app}/config`, { set });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return s.waitDeploy(app, r.body.deploy.id);
}

/**
 * Mounts an empty host directory over /app: every container of the app started from now on fails at once.
 * The directory is the app's own (ROOT/<app>/…), which the server makes.
 */
let broken = 0;
async function breakApp(app: string) {
  const dir = join(storageRoot, app, `empty-${++broken}`);
  const r = await s.api("POST", `/apps/${app}/storage`, { source: dir, containerPath: "/app" });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

test("a rollback that fails leaves yk config, the formation and the live release as they were", async () => {
  const app = uniqueApp("it-rbfail");
  await s.createApp(app);
  assert.equal((await s.api("PATCH", `/apps/${app}/config`, { set: { COLOR: "blue" }, restart: false })).status, 200);
  assert.equal((await s.deploy(app, join(FIXTURES, "env"))).status, "succeeded");
  const v2 = await configChange(app, { COLOR: "green", EXTRA: "only-in-v2" });
  assert.equal(v2.status, "succeeded", JSON.stringify(v2));
  assert.equal((await s.api("PATCH", `/apps/${app}/formation`, { web: 2 })).status, 200);
  const before = { config: await config(app), formation: (await info(app)).formation, live: await liveRelease(app) };
  assert.deepEqual(before.config, { COLOR: "green", EXTRA: "only-in-v2" });

  await breakApp(app);
  const rb = await yk("rollback", "-a", app, "v1");
  assert.notEqual(rb.code, 0, "the rollback fails: " + rb.stdout);
  const d = ((await s.api("GET", `/apps/${app}/deploys`)).body as any[])[0];
  assert.equal(d.status, "failed", JSON.stringify(d));
  assert.equal(d.errorCode, "health_check_failed", JSON.stringify(d));
  assert.match(rb.stderr, /health_check_failed|did not pass|exited/);

  const live = await liveRelease(app);
  assert.equal(live.version, before.live.version, "the live release is unchanged");
  assert.deepEqual(await config(app), before.config, "yk config shows the live release's config");
  const cli = await yk("config", "-a", app, "--shell");
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /COLOR=.?green/);
  assert.deepEqual((await info(app)).formation, before.formation, "the formation is unchanged");
  assert.equal((await getVia(s.httpPort, `${app}.${s.domain}`, "/env/COLOR")).body, "green");
});

test("a promotion that fails leaves the target's config, formation and live release as they were", async () => {
  const from = uniqueApp("it-pfrom");
  const to = uniqueApp("it-pto");
  await s.createApp(from);
  await s.createApp(to);
  // the source has a worker type (app.json formation web 2, worker 1) the target does not have yet
  assert.equal((await s.deploy(from, join(FIXTURES, "procfile"))).status, "succeeded");
  assert.equal((await s.deploy(to, join(FIXTURES, "env"))).status, "succeeded");
  const before = { formation: (await info(to)).formation, live: (await liveRelease(to)).version };
  assert.deepEqual(before.formation, { web: 1 });
  await breakApp(to);
  const r = await s.api("POST", `/apps/${from}/promote`, { to });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const d = await s.waitDeploy(to, r.body.id);
  assert.equal(d.status, "failed", JSON.stringify(d));
  assert.deepEqual((await info(to)).formation, before.formation, "no worker type was added to the formation");
  assert.equal((await liveRelease(to)).version, before.live);
});

test("a server SIGKILLed with two deploys queued runs the newest after restart and marks the older superseded", async () => {
  const app = uniqueApp("it-queue");
  await s.createApp(app);
  assert.equal((await s.deploy(app, join(FIXTURES, "good"))).status, "succeeded");
  // never-listens holds its health gate for about 15 s: the next two deploys queue behind it
  const slow = await s.deploy(app, join(FIXTURES, "never-listens"), { wait: false });
  await waitFor(
    "the first deploy to reach its health gate",
    async () =>
      ((await s.api("GET", `/apps/${app}/deploys/${slow.id}`)).body.steps as any[]).some(
        (x) => x.name.startsWith("gate") && x.status === "running",
      ),
    60000,
  );
  const older = await s.deploy(app, join(FIXTURES, "good"), { wait: false });
  const newer = await s.deploy(app, join(FIXTURES, "env"), { wait: false });
  assert.equal((await s.api("GET", `/apps/${app}/deploys/${older.id}`)).body.status, "queued");
  assert.equal((await s.api("GET", `/apps/${app}/deploys/${newer.id}`)).body.status, "queued");
  await s.kill();
  await s.spawn();

  const done = await s.waitDeploy(app, newer.id, 120000);
  assert.equal(done.status, "succeeded", JSON.stringify(done));
  const o = (await s.api("GET", `/apps/${app}/deploys/${older.id}`)).body;
  assert.equal(o.status, "superseded", JSON.stringify(o));
  assert.equal(o.supersededBy, newer.id);
  assert.equal(o.releaseVersion, null, "the superseded deploy made no release");
  const first = (await s.api("GET", `/apps/${app}/deploys/${slow.id}`)).body;
  assert.equal(first.status, "failed");
  assert.equal(first.errorCode, "interrupted");
  const log = (await s.api("GET", `/apps/${app}/deploys/${older.id}/log`)).body as string;
  assert.match(log, new RegExp(`superseded by deploy #${newer.id}`));
  assert.equal((await info(app)).liveRelease, done.releaseVersion);
  assert.equal((await getVia(s.httpPort, `${app}.${s.domain}`)).body.trim(), `ok v${done.releaseVersion}`);
});

test("ps:restart with a type that is not a string is refused with 400 and restarts nothing", async () => {
  const app = uniqueApp("it-restart");
  await s.createApp(app);
  assert.equal((await s.deploy(app, join(FIXTURES, "good"))).status, "succeeded");
  const deploys = (await s.api("GET", `/apps/${app}/deploys`)).body.length;
  for (const type of [5, true, ["web"], { web: 1 }, ""]) {
    const r = await s.api("POST", `/apps/${app}/ps/restart`, { type });
    assert.equal(r.status, 400, `type ${JSON.stringify(type)}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, "invalid_request");
    assert.match(r.body.error.message, /type/);
  }
  assert.equal((await s.api("GET", `/apps/${app}/deploys`)).body.length, deploys, "no restart was queued");
  const ok = await s.api("POST", `/apps/${app}/ps/restart`, { type: "web" });
  assert.equal(ok.status, 202, JSON.stringify(ok.body));
  assert.equal((await s.waitDeploy(app, ok.body.id)).status, "succeeded");
});
