import { test } from "node:test";
import assert from "node:assert/strict";
import { harness, assertConverged, type Harness } from "../testing/harness.js";
import { Apps } from "../apps.js";

/** Runs a config change through the queue and waits for its end. */
async function configChange(h: Harness, app: string, set: Record<string, string>) {
  const { deploy } = h.deployer.submitChanges(app, "config", [{ kind: "config", set, unset: [] }], "Set");
  return h.wait(deploy.id);
}

/** Follows a deploy's log from now on (as `yk rollback` or the UI would): true once its end is sent. */
const followEnd = (h: Harness, id: number) =>
  new Promise<boolean>((resolve) => {
    h.ctx.logs.follow(
      id,
      () => false,
      () => {},
      () => resolve(true),
    );
    setTimeout(() => resolve(false), 5000).unref();
  });

test("a rolling deploy of 4 replicas: never fewer than 4 routed, never more than 5 running, at every change", async () => {
  const h = harness({ surge: 1 });
  const d1 = await h.firstRelease("shop", { web: 4 });
  assert.equal(d1.status, "succeeded", d1.reason ?? "");
  h.store.setDeploySettings("shop", { maxSurge: 1 });
  const d2 = await configChange(h, "shop", { A: "1" });
  assert.equal(d2.status, "succeeded", d2.reason ?? "");
  await h.settle();
  assertConverged(h, "shop", 4);
  assert.deepEqual(h.store.configVars("shop"), { A: "1" });
  const names = h.store.listSteps(d2.id).map((s) => s.name);
  assert.equal(names.filter((n) => n.startsWith("gate web-")).length, 4, "four batches of one");
  assert.ok(names.includes("retire"), "the last old unit retires off the live path");
});

test("a failed gate before the commit undoes everything: the app's config, formation and live release are untouched", async () => {
  const h = harness();
  await h.firstRelease("shop", { web: 2 });
  const before = { live: h.store.getApp("shop")!.liveReleaseId, formation: h.store.getApp("shop")!.formation };
  h.unhealthy = (spec) => spec.releaseVersion === 2;
  const d = await configChange(h, "shop", { A: "1" });
  assert.equal(d.status, "failed");
  assert.equal(d.errorCode, "health_check_failed");
  await h.settle();
  assert.deepEqual(h.store.configVars("shop"), {}, "the config change is not applied");
  assert.equal(h.store.getApp("shop")!.liveReleaseId, before.live);
  assert.deepEqual(h.store.getApp("shop")!.formation, before.formation);
  assertConverged(h, "shop", 2);
});

test("a rollback that fails leaves config vars and formation equal to the live release's", async () => {
  const h = harness();
  await h.firstRelease("shop", { web: 1 });
  const v1 = h.store.getApp("shop")!.liveReleaseId!;
  assert.equal((await configChange(h, "shop", { COLOR: "green" })).status, "succeeded");
  await h.settle(); // the last old unit has retired (until then the app is busy and the reconciler leaves it alone)
  h.store.setFormation("shop", { web: 2 });
  await h.reconciler.pass();
  await h.settle();
  h.violations.length = 0; // scaling up has a moment with one of two routed: not what this test checks
  const live = h.store.getRelease(h.store.getApp("shop")!.liveReleaseId!)!;
  h.unhealthy = () => true; // every new unit fails its gate from now on
  const { deploy } = h.deployer.submitChanges(
    "shop",
    "rollback",
    [{ kind: "rollback", releaseId: v1, version: 1 }],
    "Rollback to v1",
  );
  const d = await h.wait(deploy.id);
  assert.equal(d.status, "failed");
  assert.equal(d.errorCode, "health_check_failed");
  assert.deepEqual(h.store.configVars("shop"), live.config, "yk config is the live release's");
  assert.deepEqual(h.store.getApp("shop")!.formation, { web: 2 });
  assert.equal(h.store.getApp("shop")!.liveReleaseId, live.id);
  await h.settle();
  assertConverged(h, "shop", 2);
});

test("a later batch failing after the commit rolls the previous release back out, config and formation with it", async () => {
  const h = harness();
  await h.firstRelease("shop", { web: 2 });
  h.store.setDeploySettings("shop", { maxSurge: 1 });
  let gated = 0;
  h.unhealthy = (spec) => spec.releaseVersion === 2 && ++gated > 1; // the first batch passes, the second never
  const d = await configChange(h, "shop", { A: "1" });
  assert.equal(d.status, "failed");
  assert.match(d.reason ?? "", /rolled back to v1/);
  await h.settle();
  assert.equal(h.store.getRelease(h.store.getApp("shop")!.liveReleaseId!)!.version, 1);
  assert.deepEqual(h.store.configVars("shop"), {}, "the commit's config change was undone");
  assertConverged(h, "shop", 2);
});

test("canary: weights move only in plan steps; a bad verdict is aborted by the undo plan, old weights back", async () => {
  const h = harness();
  await h.firstRelease("shop", { web: 2 });
  h.store.setDeploySettings("shop", {
    strategy: "canary",
    steps: [20, 100],
    stepSec: 60,
    stepRequests: 100,
    maxSurge: 1,
  });
  h.metrics.errorRate.set(2, 0.1);
  const before = h.router.applied.length;
  const d = await configChange(h, "shop", { A: "1" });
  assert.equal(d.status, "failed");
  assert.equal(d.errorCode, "canary_aborted");
  assert.match(d.reason ?? "", /canary aborted at step 1\/2 \(20%\): error rate 10\.00%/);
  const steps = h.store.listSteps(d.id).map((s) => `${s.name}:${s.status}`);
  assert.deepEqual(steps, [
    "start canary:done",
    "gate canary:done",
    "weights canary 1: 20%:done",
    "canary 1: 20%:failed",
    "abort:done",
    "drain:done",
    "remove:done",
  ]);
  // every router change was one of those steps: the split, then the abort, then the new server out
  const changes = h.router.applied
    .slice(before)
    .map((x) => x.backends[0].servers.map((s) => `${s.weight}/${s.state}`).join(","));
  // (servers by name: v1's two, then v2's)
  assert.deepEqual(changes, ["2/ready,2/ready,1/ready", "100/ready,100/ready,0/drain", "100/ready,100/ready"]);
  assert.equal(h.ctx.canaries.get(d.id)!.state, "aborted");
  await h.settle();
  assert.deepEqual(h.store.configVars("shop"), {});
  assertConverged(h, "shop", 2);
});

test("canary: a good release goes through its steps, then the old units retire", async () => {
  const h = harness();
  await h.firstRelease("shop", { web: 2 });
  h.store.setDeploySettings("shop", {
    strategy: "canary",
    steps: [10, 50, 100],
    stepSec: 60,
    stepRequests: 100,
    maxSurge: 1,
  });
  const d = await configChange(h, "shop", { A: "1" });
  assert.equal(d.status, "succeeded", d.reason ?? "");
  assert.equal(h.ctx.canaries.get(d.id)!.state, "succeeded");
  const names = h.store.listSteps(d.id).map((s) => s.name);
  assert.deepEqual(
    names.filter((n) => n.startsWith("canary ")),
    ["canary 1: 10%", "canary 2: 50%", "canary 3: 100%"],
  );
  await h.settle();
  assertConverged(h, "shop", 2);
});

test("the router failing inside a blue-green switch back fails the deploy and ends its log; nothing changed", async () => {
  const h = harness({ standby: 2 });
  await h.firstRelease("shop", { web: 2 });
  h.store.setDeploySettings("shop", { strategy: "blue-green", idleSec: 600 });
  const v1 = h.store.getApp("shop")!.liveReleaseId!;
  assert.equal((await configChange(h, "shop", { A: "1" })).status, "succeeded");
  await h.settle();
  const live = h.store.getApp("shop")!.liveReleaseId;
  const routedBefore = h.store.routedServers("shop");
  h.router.failing = true;
  const { deploy } = h.deployer.submitChanges(
    "shop",
    "rollback",
    [{ kind: "switch-back", releaseId: v1, version: 1 }],
    "Rollback to v1",
  );
  const follower = followEnd(h, deploy.id);
  assert.ok(await follower, "its log ended: a follower (yk rollback, the UI) is let go");
  const d = h.store.getDeploy(deploy.id)!;
  assert.equal(d.status, "failed", "not left deploying");
  assert.equal(h.store.getApp("shop")!.liveReleaseId, live, "the live release is unchanged");
  assert.deepEqual(h.store.configVars("shop"), { A: "1" });
  assert.deepEqual(
    h.store.routedServers("shop").map((s) => [s.name, s.weight, s.state]),
    routedBefore.map((s) => [s.name, s.weight, s.state]),
    "the routes are as they were",
  );
  // once the router answers, the switch back works and only moves weights
  h.router.failing = false;
  const again = h.deployer.submitChanges(
    "shop",
    "rollback",
    [{ kind: "switch-back", releaseId: v1, version: 1 }],
    "Rollback to v1",
  );
  const d2 = await h.wait(again.deploy.id);
  assert.equal(d2.status, "succeeded", d2.reason ?? "");
  assert.deepEqual(
    h.store.listSteps(d2.id).map((s) => s.name),
    ["switch", "commit"],
  );
  assert.equal(h.store.getApp("shop")!.liveReleaseId, v1);
  assert.deepEqual(h.store.configVars("shop"), {}, "v1's config is back with it");
});

test("the router failing inside the canary abort after a restart fails the deploy (interrupted) and ends its log", async () => {
  const h = harness();
  await h.firstRelease("shop", { web: 1 });
  h.store.setDeploySettings("shop", { strategy: "canary", steps: [20, 100], stepSec: 600, maxSurge: 1 });
  const { deploy } = h.deployer.submitChanges(
    "shop",
    "config",
    [{ kind: "config", set: { A: "1" }, unset: [] }],
    "Set A",
  );
  // wait for the canary to hold its first step, then "restart": the new deployer finds it running
  for (let i = 0; i < 500 && h.ctx.canaries.get(deploy.id)?.state !== "running"; i++)
    await new Promise((r) => setTimeout(r, 2));
  assert.equal(h.ctx.canaries.get(deploy.id)?.state, "running");
  const after = h.restart();
  // the canary's new unit is gone when the server comes back, and the router refuses changes
  for (const u of [...h.engine.units.values()].filter((x) => x.spec?.releaseVersion === 2)) await h.engine.remove(u.id);
  h.router.failing = true;
  const follower = followEnd(after, deploy.id);
  await Promise.all(after.deployer.resume());
  assert.ok(await follower, "its log ended");
  const d = after.store.getDeploy(deploy.id)!;
  assert.equal(d.status, "failed", "not left deploying");
  assert.equal(d.errorCode, "interrupted");
  assert.equal(after.ctx.canaries.get(d.id)!.state, "aborted");
  // the store already has the old weights back (the canary's server takes no request): the router gets them at its next sync
  assert.deepEqual(
    after.store.routedServers("shop").map((s) => [s.releaseId, s.weight, s.state]),
    [
      [d.releaseId! - 1, 100, "ready"],
      [d.releaseId, 0, "drain"],
    ],
  );
  h.router.failing = false;
  await after.reconciler.pass();
  await after.settle();
  assertConverged(after, "shop", 1);
});

test("two queued config changes both apply: the newer deploy supersedes the older and carries its change", async () => {
  const h = harness();
  await h.firstRelease("shop", { web: 1 });
  // hold the app's lock so both queue up behind it
  let release!: () => void;
  const holding = new Promise<void>((r) => (release = r));
  const held = h.ctx.locks.run("shop", () => holding);
  const a = h.deployer.submitChanges("shop", "config", [{ kind: "config", set: { A: "1" }, unset: [] }], "Set A");
  const b = h.deployer.submitChanges("shop", "config", [{ kind: "config", set: { B: "2" }, unset: [] }], "Set B");
  release();
  await held;
  const [da, db] = [await h.wait(a.deploy.id), await h.wait(b.deploy.id)];
  assert.equal(da.status, "superseded");
  assert.equal(da.supersededBy, db.id);
  assert.equal(db.status, "succeeded", db.reason ?? "");
  assert.deepEqual(h.store.configVars("shop"), { A: "1", B: "2" }, "neither change is lost");
  const rel = h.store.getRelease(db.releaseId!)!;
  assert.equal(rel.description, "Set A, then Set B");
  await h.settle();
  assertConverged(h, "shop", 1);
});

test("after a restart, queued deploys run (the newest, carrying the others) and in-flight ones are marked", async () => {
  const h = harness();
  await h.firstRelease("shop", { web: 1 });
  // two deploys recorded but never run (the server died before their turn)
  const intent = (k: string) => ({
    changes: [{ kind: "config" as const, set: { [k]: "1" }, unset: [] }],
    description: `Set ${k}`,
  });
  const mk = (k: string) =>
    h.store.createDeploy({ app: "shop", source: "config", commit: null, ref: null, actor: "admin", intent: intent(k) });
  const inFlight = mk("X");
  h.store.setDeployStatus(inFlight.id, "deploying");
  const older = mk("A");
  const newer = mk("B");
  const after = h.restart();
  await Promise.all(after.deployer.resume());
  await after.settle();
  assert.equal(after.store.getDeploy(inFlight.id)!.errorCode, "interrupted");
  assert.equal(after.store.getDeploy(older.id)!.status, "superseded");
  assert.equal(after.store.getDeploy(newer.id)!.status, "succeeded");
  assert.deepEqual(after.store.configVars("shop"), { A: "1", B: "1" });
  assertConverged(after, "shop", 1);
});

test("a restart of one process type replaces only its units, with no new release", async () => {
  const h = harness();
  await h.firstRelease("shop", { web: 2 });
  const live = h.store.getApp("shop")!.liveReleaseId;
  const before = [...h.engine.units.keys()];
  const { deploy } = h.deployer.submitRestart("shop", ["web"]);
  const d = await h.wait(deploy.id);
  assert.equal(d.status, "succeeded", d.reason ?? "");
  assert.equal(d.releaseId, live);
  await h.settle();
  assert.ok(
    [...h.engine.units.keys()].every((id) => !before.includes(id)),
    "every unit is new",
  );
  assertConverged(h, "shop", 2);
});

test("destroying an app ends the deploys still queued for it: their uploads go, their followers are let go", async () => {
  const h = harness();
  await h.firstRelease("shop", { web: 1 });
  const { mkdtempSync, writeFileSync, existsSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const path = join(mkdtempSync(join(tmpdir(), "yk-unit-")), "upload.tar");
  writeFileSync(path, "not a tar");
  const apps = new Apps(h.ctx, { beforeDestroy: (a) => h.deployer.queue.discard(a) });
  let release!: () => void;
  const holding = new Promise<void>((r) => (release = r));
  const held = h.ctx.locks.run("shop", () => holding);
  const destroyed = apps.destroy("shop"); // queued behind the held turn, ahead of the deploy
  const { deploy } = h.deployer.submitBuild(
    "shop",
    { path, sha256: "ab".repeat(32), bytes: 9, gzip: false },
    {
      source: "tar",
      commit: null,
      ref: null,
    },
  );
  const follower = followEnd(h, deploy.id);
  release();
  await held;
  await destroyed;
  assert.ok(await follower, "its log ended");
  assert.equal(existsSync(path), false, "its upload is deleted");
  assert.equal(h.store.getApp("shop"), null);
  await h.settle();
});
