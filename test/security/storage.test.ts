import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  call,
  docker,
  refusal,
  ruleBroken,
  startTenants,
  uploadDir,
  waitDeploy,
  yk,
  ROOT,
  type Tenants,
} from "./harness.js";

/**
 * Findings 2 and 3 of issue #11: a deployer of A, through storage mounts and
 * the code A runs, must reach neither the host nor B's files.
 */
let t: Tenants;
let root: string;
const GOOD = join(ROOT, "test/fixtures/apps/good");
const volumes: string[] = [];

before(async () => {
  root = mkdtempSync(join(tmpdir(), "yk-sec-storage-"));
  t = await startTenants("sec-store", { YADOKARI_STORAGE_ROOTS: root });
  for (const [app, token] of [
    [t.a, t.tokens.deployerA],
    [t.b, t.tokens.deployerB],
  ] as const) {
    const up = await uploadDir(t.s, token, app, GOOD);
    assert.equal(up.status, 202, up.text);
    assert.equal((await waitDeploy(t.s, token, app, up.body.id)).status, "succeeded");
  }
});

after(async () => {
  await t?.s.close();
  for (const v of volumes)
    await docker
      .getVolume(v)
      .remove({ force: true })
      .catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

const mount = (token: string, app: string, source: string, containerPath: string, extra: object = {}) =>
  call(t.s, token, "POST", `/api/v1/apps/${app}/storage`, { source, containerPath, ...extra });
const runIn = (token: string, app: string, script: string) =>
  yk(t.s, token, ["run", "-a", app, "--", "sh", "-c", script]);
const adminToken = () => readFileSync(join(t.s.dataDir, "admin-token"), "utf8").trim();

test("finding 2: a link planted through one mount never turns another mount into the host's /", async () => {
  const outer = join(root, t.a, "a");
  const first = await mount(t.tokens.deployerA, t.a, outer, "/store");
  assert.equal(first.status, 201, first.text);
  // the attack: a second mount inside the first, then a link put in its place from a container
  const nested = await mount(t.tokens.deployerA, t.a, join(outer, "data"), "/data");
  const why = refusal(nested);
  if (why) assert.match(why.message, /inside|nested|contains/i);
  const plant = await runIn(t.tokens.deployerA, t.a, "rm -rf /store/data && ln -s / /store/data && echo planted");
  assert.equal(plant.code, 0, plant.stderr);
  const look = await runIn(t.tokens.deployerA, t.a, `cat /data${t.s.dataDir}/admin-token 2>/dev/null || echo nothing`);
  assert.ok(!look.stdout.includes(adminToken()), "the container read the host's admin token through /data");
  assert.ok(why, `the nested mount was refused (${nested.status} ${nested.text})`);
  // and a mount through the planted link is refused too, now that it is there
  const through = await mount(t.tokens.deployerA, t.a, join(outer, "data", "etc"), "/etc2");
  assert.ok(refusal(through), through.text);
});

test("finding 2: a bind source changed into a link after it was mounted is refused at the next container start", async () => {
  const dir = join(root, t.a, "b");
  const m = await mount(t.tokens.deployerA, t.a, dir, "/b");
  assert.equal(m.status, 201, m.text);
  // what a host user, or an earlier version's mount, could leave: the directory replaced by a link to /
  rmSync(dir, { recursive: true, force: true });
  symlinkSync("/", dir);
  const r = await runIn(t.tokens.deployerA, t.a, `cat /b${t.s.dataDir}/admin-token 2>/dev/null; echo end`);
  assert.ok(!r.stdout.includes(adminToken()), "the run read the host's files through the link");
  assert.notEqual(r.code, 0, "the run is refused");
  assert.match(r.stderr, /link|storage/i);
  rmSync(dir, { force: true });
  assert.equal((await call(t.s, t.tokens.deployerA, "DELETE", `/api/v1/apps/${t.a}/storage?path=/b`)).status, 200);
});

test("finding 3: a deployer of A mounts neither B's directory nor B's volume; bind sources are the app's own", async () => {
  const bDir = join(root, t.b, "secret");
  assert.equal((await mount(t.tokens.deployerB, t.b, bDir, "/secret")).status, 201);
  const wrote = await runIn(t.tokens.deployerB, t.b, "echo b-secret > /secret/s.txt");
  assert.equal(wrote.code, 0, wrote.stderr);
  const vol = `vb-${t.b}`.slice(0, 60);
  volumes.push(vol);
  assert.equal((await mount(t.tokens.deployerB, t.b, vol, "/v")).status, 201);
  assert.equal((await runIn(t.tokens.deployerB, t.b, "echo b-volume > /v/s.txt")).code, 0);

  for (const [source, pattern] of [
    [bDir, /own directory|belongs|another app/i],
    [join(root, t.b), /own directory|belongs|another app/i],
    [join(root, "shared"), /own directory/i],
    [vol, /volume.*(belongs|another app)/i],
  ] as const) {
    const r = await mount(t.tokens.deployerA, t.a, source, "/stolen");
    const why = ruleBroken(r, "invalid_mount");
    assert.ok(why, `${source}: refused (${r.status} ${r.text})`);
    assert.match(why.message, pattern, source);
  }
  // a volume Yadokari did not make (someone's own) is not taken either
  const own = `yk-sec-foreign-${process.pid}`;
  volumes.push(own);
  await docker.createVolume({ Name: own });
  assert.ok(refusal(await mount(t.tokens.deployerA, t.a, own, "/foreign")));
  const r = await runIn(t.tokens.deployerA, t.a, "cat /stolen/s.txt 2>/dev/null; echo end");
  assert.ok(!r.stdout.includes("b-"), r.stdout);
  // an admin can share deliberately; a deployer cannot ask for it
  assert.equal((await mount(t.tokens.deployerA, t.a, vol, "/shared", { shared: true })).status, 403);
  const shared = await mount(t.s.token, t.a, vol, "/shared", { shared: true });
  assert.equal(shared.status, 201, shared.text);
  assert.equal((await runIn(t.tokens.deployerA, t.a, "cat /shared/s.txt")).stdout, "b-volume\n");
});

test("an app's directory is made by Yadokari: a mount creates it, with every level a plain directory", async () => {
  const dir = join(root, t.a, "made", "deep");
  const r = await mount(t.tokens.deployerA, t.a, dir, "/made");
  assert.equal(r.status, 201, r.text);
  writeFileSync(join(dir, "x"), "host\n");
  assert.equal((await runIn(t.tokens.deployerA, t.a, "cat /made/x")).stdout, "host\n");
  // a link anywhere on the way is refused, even one that stays under the root
  mkdirSync(join(root, t.a, "real"), { recursive: true });
  symlinkSync(join(root, t.a, "real"), join(root, t.a, "alias"));
  assert.ok(refusal(await mount(t.tokens.deployerA, t.a, join(root, t.a, "alias", "x"), "/alias")));
});
