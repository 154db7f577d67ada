import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { TestServer, FIXTURES, ROOT, uniqueApp } from "../helpers/yadokari.js";
import { getVia } from "../helpers/http.js";
import { ykFor } from "../helpers/git.js";

/**
 * Releases carry their status (issue 15): live, previously live, never live
 * (with the step its deploy failed at). A plain `yk rollback` goes to the
 * release live before the current one, never to one that crashed; a rollback
 * to a never-live release needs --force.
 */
let s: TestServer;
const CLI = join(ROOT, "dist/src/main/cli.js");
const yk = (...args: string[]) => ykFor(s, CLI)(...args);

before(async () => {
  s = await TestServer.start();
});
after(async () => {
  await s?.close();
});

const releases = async (app: string) => (await s.api("GET", `/apps/${app}/releases`)).body as any[];
const byVersion = async (app: string) => new Map((await releases(app)).map((r) => [r.version, r]));

test("releases show live / previously live / never live; a plain rollback skips a crashed release; --force is needed for one", async () => {
  const app = uniqueApp("it-relst");
  await s.createApp(app);
  assert.equal((await s.deploy(app, join(FIXTURES, "good"))).status, "succeeded"); // v1
  const crashed = await s.deploy(app, join(FIXTURES, "exits")); // v2: exits at start
  assert.equal(crashed.status, "failed", JSON.stringify(crashed));
  const cfg = await s.api("PATCH", `/apps/${app}/config`, { set: { COLOR: "green" } }); // v3 from the live v1
  assert.equal(cfg.status, 200, JSON.stringify(cfg.body));
  assert.equal((await s.waitDeploy(app, cfg.body.deploy.id)).status, "succeeded");

  let r = await byVersion(app);
  assert.equal(r.get(3).status, "live");
  assert.equal(r.get(1).status, "previously-live");
  assert.equal(r.get(2).status, "never-live");
  assert.equal(r.get(2).deploy.id, crashed.id);
  assert.equal(r.get(2).deploy.status, "failed");
  assert.equal(r.get(2).deploy.errorCode, "health_check_failed");
  assert.match(r.get(2).deploy.failedStep, /^gate web-1$/);
  assert.equal(r.get(2).imageAvailable, true);

  const list = await yk("releases", "-a", app);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /v3\s+live/);
  assert.match(list.stdout, /v2\s+never live: failed at gate web-1 \(health_check_failed\)/);
  assert.match(list.stdout, /v1\s+previously live/);

  // a rollback to the crashed release is refused, with the way to force it; nothing is queued
  const deploysBefore = ((await s.api("GET", `/apps/${app}/deploys`)).body as any[]).length;
  const refused = await yk("rollback", "-a", app, "v2");
  assert.notEqual(refused.code, 0, refused.stdout);
  assert.match(refused.stderr, /v2 never went live: its deploy #\d+ failed at step gate web-1/);
  assert.match(refused.stderr, /--force/);
  const api = await s.api("POST", `/apps/${app}/rollback`, { version: 2 });
  assert.equal(api.status, 409, JSON.stringify(api.body));
  assert.equal(api.body.error.code, "release_never_live");
  assert.equal(((await s.api("GET", `/apps/${app}/deploys`)).body as any[]).length, deploysBefore);

  // a plain rollback goes to v1, the release live before v3 (not v2, the one numbered before it)
  const plain = await yk("rollback", "-a", app);
  assert.equal(plain.code, 0, plain.stdout + plain.stderr);
  r = await byVersion(app);
  assert.equal(r.get(4).status, "live");
  assert.equal(r.get(4).description, "Rollback to v1");
  assert.equal(r.get(3).status, "previously-live");
  assert.equal((await getVia(s.httpPort, `${app}.${s.domain}`, "/")).body.trim(), "ok v4");

  // the next plain rollback goes back to v3 (the one live before v4), like Heroku's
  const again = await yk("rollback", "-a", app);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.equal((await byVersion(app)).get(5).description, "Rollback to v3");

  // --force rolls back to the crashed one anyway: it fails the same way, and the live release keeps serving
  const forced = await yk("rollback", "-a", app, "v2", "--force");
  assert.notEqual(forced.code, 0, forced.stdout);
  assert.match(forced.stderr, /health_check_failed|exited/);
  r = await byVersion(app);
  assert.equal(r.get(5).status, "live");
  assert.equal(r.get(6).status, "never-live");
  assert.equal(r.get(6).description, "Rollback to v2");
});
