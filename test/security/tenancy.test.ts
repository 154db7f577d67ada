import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { git } from "../helpers/git.js";
import { call, refusal, startTenants, uploadDir, waitDeploy, yk, ROOT, type Tenants } from "./harness.js";

/**
 * Findings 4 and 7 of issue #11, and the per-app quotas of finding 11: B's
 * source through git:connect, other apps' hostnames, and how much one app may
 * pile up. The server runs with low quotas so they are reached quickly.
 */
let t: Tenants;
let work: string;
const SECRET = `b-prod-secret-${process.pid}`;
const FIXTURES = join(ROOT, "test/fixtures/apps");

before(async () => {
  t = await startTenants("sec-ten", {
    YADOKARI_MAX_DOMAINS: "3",
    YADOKARI_MAX_CONFIG_VARS: "5",
    YADOKARI_MAX_CRON_JOBS: "2",
  });
  // B's source, with its production secrets, pushed to the server by B's deployer
  work = mkdtempSync(join(tmpdir(), "yk-sec-git-"));
  cpSync(join(FIXTURES, "good"), work, { recursive: true });
  writeFileSync(join(work, ".env.production"), `SECRET=${SECRET}\n`);
  await git(work, "init", "--quiet", "-b", "main");
  await git(work, "add", "-A");
  await git(work, "-c", "user.email=b@x", "-c", "user.name=b", "commit", "--quiet", "-m", "b");
  await git(work, "push", "--quiet", `http://b:${t.tokens.deployerB}@127.0.0.1:${t.s.apiPort}/git/${t.b}.git`, "main");
});

after(async () => {
  await t?.s.close();
  rmSync(work, { recursive: true, force: true });
});

test("finding 4: a deployer of A cannot connect A to B's push repository (or any local path) and read B's source", async () => {
  const bRepo = join(t.s.dataDir, "git", `${t.b}.git`);
  const c = await call(t.s, t.tokens.deployerA, "PUT", `/api/v1/apps/${t.a}/git`, { url: bRepo, branch: "main" });
  if (c.status === 200) {
    // the attack as it was: deploy B's code as A and read B's secrets with yk run
    const d = await call(t.s, t.tokens.deployerA, "POST", `/api/v1/apps/${t.a}/git/deploy`, {});
    if (d.status === 202) await waitDeploy(t.s, t.tokens.deployerA, t.a, d.body.id);
    const r = await yk(t.s, t.tokens.deployerA, ["run", "-a", t.a, "--", "cat", "/app/.env.production"]);
    assert.ok(!r.stdout.includes(SECRET), "A read B's .env.production");
  }
  const why = refusal(c);
  assert.ok(why, `refused: ${c.status} ${c.text}`);
  assert.equal(c.status, 403);
  assert.match(why.message, /local path/i);
  for (const url of [join(t.s.dataDir, "git-cache"), "/tmp", "/srv/repos/x.git"])
    assert.equal((await call(t.s, t.tokens.deployerA, "PUT", `/api/v1/apps/${t.a}/git`, { url })).status, 403, url);
  // admins may connect local paths, but never inside the data dir
  for (const url of [bRepo, t.s.dataDir, join(t.s.dataDir, "git")]) {
    const r = await call(t.s, t.s.token, "PUT", `/api/v1/apps/${t.a}/git`, { url });
    assert.equal(r.status, 422, `${url}: ${r.text}`);
    assert.match(r.body.error.message, /data dir/);
  }
  assert.equal((await call(t.s, t.s.token, "GET", `/api/v1/apps/${t.a}/git`)).body.repository, null);
});

test("finding 7: a deployer of A cannot take B's hostnames, future apps' hostnames, localhost, IPs or the platform's own", async () => {
  const d = t.s.domain;
  for (const [host, code] of [
    [`x.${t.b}.${d}`, "domain_taken"],
    [`${t.b}.${d}`, "domain_taken"],
    [`not-created-yet.${d}`, "domain_taken"],
    [`www.not-created-yet.${d}`, "domain_taken"],
    [d, "invalid_domain"],
    ["localhost", "invalid_domain"],
    ["api.localhost", "invalid_domain"],
    ["127.0.0.1", "invalid_domain"],
    ["10.0.0.8", "invalid_domain"],
    ["2130706433", "invalid_domain"],
    [`${t.a}.${d}`, "domain_taken"],
  ] as const) {
    const r = await call(t.s, t.tokens.deployerA, "POST", `/api/v1/apps/${t.a}/domains`, { hostname: host });
    assert.ok(refusal(r), `${host}: ${r.status} ${r.text}`);
    assert.equal(r.body.error.code, code, `${host}: ${r.text}`);
  }
  // what is A's: its own subdomains, and names outside the platform's domain
  for (const host of [`www.${t.a}.${d}`, "www.example.com"])
    assert.equal(
      (await call(t.s, t.tokens.deployerA, "POST", `/api/v1/apps/${t.a}/domains`, { hostname: host })).status,
      201,
      host,
    );
  // a hostname one app has, another cannot add
  const taken = await call(t.s, t.tokens.deployerB, "POST", `/api/v1/apps/${t.b}/domains`, {
    hostname: "www.example.com",
  });
  assert.equal(taken.status, 409);
});

test("finding 11: per-app quotas on domains, config vars and cron jobs, each a clear error", async () => {
  // A has 2 domains from the test above: one more is the third and last
  assert.equal(
    (await call(t.s, t.tokens.deployerA, "POST", `/api/v1/apps/${t.a}/domains`, { hostname: "c.example.com" })).status,
    201,
  );
  const d = await call(t.s, t.tokens.deployerA, "POST", `/api/v1/apps/${t.a}/domains`, { hostname: "d.example.com" });
  assert.equal(d.status, 422, d.text);
  assert.equal(d.body.error.code, "quota_exceeded");
  assert.match(d.body.error.message, /at most 3 .*YADOKARI_MAX_DOMAINS/);

  const set = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`K${i}`, "v"]));
  const c = await call(t.s, t.tokens.deployerA, "PATCH", `/api/v1/apps/${t.a}/config`, { set, restart: false });
  assert.equal(c.status, 422, c.text);
  assert.equal(c.body.error.code, "quota_exceeded");
  assert.match(c.body.error.message, /6 config vars.*at most 5/);
  assert.deepEqual((await call(t.s, t.tokens.deployerA, "GET", `/api/v1/apps/${t.a}/config`)).body, {});
  const rc = await call(t.s, t.tokens.deployerA, "PATCH", `/api/v1/apps/${t.a}/review-apps/config`, { set });
  assert.equal(rc.status, 422, rc.text);

  const up = await uploadDir(t.s, t.tokens.deployerA, t.a, join(FIXTURES, "cron"));
  assert.equal(up.status, 202, up.text);
  const dep = await waitDeploy(t.s, t.tokens.deployerA, t.a, up.body.id);
  assert.equal(dep.status, "failed");
  assert.match(dep.reason, /3 cron jobs.*at most 2 .*YADOKARI_MAX_CRON_JOBS/);
});
