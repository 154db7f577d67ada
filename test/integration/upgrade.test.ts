import { test, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import { TestServer, FIXTURES, ROOT } from "../helpers/yadokari.js";
import { getVia, waitFor } from "../helpers/http.js";
import { keepAliveLoad } from "../helpers/load.js";
import { packTarGz } from "../../src/cli/pack.js";
import { DockerodeAdapter } from "../../src/docker/dockerode-adapter.js";
import { SCHEMA_VERSION } from "../../src/store/db.js";

/**
 * Upgrades: a store made by every earlier released version
 * (test/fixtures/stores/) migrates and serves; the server replaced under
 * keep-alive load fails no request (HAProxy keeps serving; the new server
 * adopts it without a reload).
 */
const STORES = join(ROOT, "test/fixtures/stores");
const releasedVersions = readdirSync(STORES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const servers: TestServer[] = [];

/** A copy of a fixture's data dir with a fresh instance id (runs on one Docker never share one), and its live images built. */
async function prepare(version: string): Promise<{ dataDir: string; manifest: any }> {
  const dataDir = mkdtempSync(join(tmpdir(), `yk-it-upgrade-${version}-`));
  for (const f of ["yadokari.db", "master.key", "admin-token"])
    copyFileSync(join(STORES, version, f), join(dataDir, f));
  const manifest = JSON.parse(readFileSync(join(STORES, version, "manifest.json"), "utf8"));
  const instance = randomBytes(6).toString("hex");
  const db = new Database(join(dataDir, "yadokari.db"));
  db.prepare("UPDATE meta SET value = ? WHERE key = 'instance'").run(instance);
  db.close();
  const adapter = new DockerodeAdapter({ instance });
  for (const a of manifest.apps) {
    const { data } = await packTarGz(join(FIXTURES, manifest.fixtureSources[a.name]));
    await adapter.build(Readable.from(data), {
      tag: a.live.image,
      labels: { "yadokari.app": a.name },
      onLine: () => {},
    });
  }
  return { dataDir, manifest };
}

after(async () => {
  for (const s of servers) await s.close();
});

for (const version of releasedVersions) {
  test(`a store made by Yadokari ${version} migrates, and its apps, config vars, users, domains and cron jobs serve`, async () => {
    const { dataDir, manifest } = await prepare(version);
    const s = await TestServer.start({ dataDir });
    servers.push(s);
    for (const a of manifest.apps) s.apps.add(a.name);
    assert.equal(s.token, readFileSync(join(STORES, version, "admin-token"), "utf8").trim());
    assert.equal((await s.api("GET", "/status")).body.server.schemaVersion, SCHEMA_VERSION);
    const apps = (await s.api("GET", "/apps")).body as any[];
    assert.deepEqual(apps.map((a) => a.name).sort(), manifest.apps.map((a: any) => a.name).sort());
    for (const a of manifest.apps) {
      const info = (await s.api("GET", `/apps/${a.name}`)).body;
      assert.equal(info.liveRelease, a.live.version, `${a.name}'s live release`);
      await waitFor(
        `${a.name} to serve`,
        async () => (await getVia(s.httpPort, `${a.name}.${s.domain}`)).status === 200,
        90000,
        250,
      );
    }
    assert.equal((await s.api("GET", "/apps/fx-shop/config")).body.GREETING, "hello from the fixture");
    assert.equal((await getVia(s.httpPort, "shop.fixture.test")).status, 200, "the custom domain routes");
    const cron = (await s.api("GET", "/apps/fx-cron/cron")).body;
    assert.deepEqual(
      (cron.jobs ?? cron).map((j: any) => j.name),
      ["quick", "fails", "slow"],
    );
    const review = (await s.api("GET", "/apps/fx-git/review-apps")).body;
    assert.deepEqual(
      review.apps.map((r: any) => r.branch),
      [manifest.reviewApp.branch],
    );
    for (const [email, password] of [
      ["admin@fixture.test", "fixture-admin-password-1"],
      ["dev@fixture.test", "fixture-dev-password-1"],
    ]) {
      const login = await fetch(`${s.url}/api/v1/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password }),
      });
      assert.equal(login.status, 201, `${email} logs in`);
    }
  });
}

test("the server replaced under keep-alive load: HAProxy keeps serving, 0 failed requests", async () => {
  const s = servers[0];
  assert.ok(s, "the fixture's server runs");
  const load = keepAliveLoad({
    port: s.httpPort,
    host: `fx-shop.${s.domain}`,
    connections: 8,
    maxRequests: 1_000_000,
    maxMs: 120_000,
  });
  await new Promise((r) => setTimeout(r, 1500));
  const routerBefore = s.routerPid();
  const t0 = Date.now();
  await s.stop(); // SIGTERM: the old server exits
  await s.spawn(); // the new one adopts HAProxy
  const replacedMs = Date.now() - t0;
  await new Promise((r) => setTimeout(r, 2000));
  const r = await load.stop();
  console.log(`# server replaced under keep-alive load in ${replacedMs} ms: ${r.sent} requests, ${r.failed} failed`);
  assert.equal(s.routerPid(), routerBefore, "the same HAProxy");
  assert.ok(r.ok > 100, `${r.ok} requests answered`);
  assert.equal(r.failed, 0, r.failures.join("; "));
  assert.match(readFileSync(s.logPath, "utf8"), /router adopted \(HAProxy pid \d+\)/);
});
