import { test } from "node:test";
import assert from "node:assert/strict";
import { harness, assertConverged } from "./testing/harness.js";
import { Processes } from "./processes.js";

test("a crashed web unit is replaced by a plan: unrouted and removed, a crash counted, a new unit gated and routed", async () => {
  const h = harness({ surge: 0 });
  await h.firstRelease("shop", { web: 2 });
  await h.settle();
  const [victim] = h.engine.running("shop");
  h.minRouted.set("shop", 1); // a crash leaves one of two routed until the repair: never fewer than that
  h.engine.exit(victim.id, 137);
  await h.reconciler.pass();
  await h.settle();
  assertConverged(h, "shop", 2);
  assert.ok(!h.engine.units.has(victim.id), "the dead unit is removed");
  const health = h.store.processHealth("shop").find((x) => x.process === "web")!;
  assert.equal(health.crashesInRow, 1);
  assert.equal(health.lastExitCode, 137);
});

test("a replacement that fails its gate is removed and counted as a crash, and backs off", async () => {
  const h = harness({ surge: 0 });
  await h.firstRelease("shop", { web: 1 });
  h.unhealthy = () => true;
  const [u] = h.engine.running("shop");
  h.engine.exit(u.id, 1);
  await h.reconciler.pass();
  await h.settle();
  assert.equal(h.engine.running("shop").length, 0, "the failing replacement is gone");
  assert.equal(h.store.processHealth("shop")[0].crashesInRow, 2);
  const p = await h.reconciler.pass();
  assert.equal(p.start.length, 0, "no new start during the backoff");
  assert.equal(p.waiting.length, 1);
});

test("a unit nobody recorded is never adopted, routed, counted as a crash or removed, whatever its labels say", async () => {
  const h = harness();
  await h.firstRelease("shop", { web: 1 });
  await h.settle();
  const live = h.store.getRelease(h.store.getApp("shop")!.liveReleaseId!)!;
  // a Dockerfile's build step of another app can write these labels (and pick our naming scheme)
  const claims = {
    "yadokari.managed": "true",
    "yadokari.app": "shop",
    "yadokari.process": "web",
    "yadokari.release": `v${live.version}`,
    "yadokari.kind": "web",
  };
  const running = h.engine.addForeign({
    name: `yk-shop-web-v${live.version}-evil01`,
    labels: claims,
    image: live.image,
  });
  const exited = h.engine.addForeign({ name: "yk-shop-web-v1-evil02", labels: claims, state: "exited" });
  const other = h.engine.addForeign({ name: "yk-ghost-web-v1-evil03", labels: { ...claims, "yadokari.app": "ghost" } });
  // the formation wants two now: a naive reconciler would adopt the look-alike instead of starting one
  h.store.setFormation("shop", { web: 2 });
  h.violations.length = 0;
  for (let i = 0; i < 3; i++) await h.reconciler.pass();
  await h.settle();
  for (const id of [running, exited, other]) assert.ok(h.engine.units.has(id), `${id} is left alone (not removed)`);
  assert.ok(
    h.store.routedServers("shop").every((s) => ![running, exited].includes(s.unitId)),
    "never routed",
  );
  assert.equal(h.store.processHealth("shop").length, 0, "never counted as a crash");
  assert.equal(h.engine.running("shop").length, 2, "a unit of our own was started instead");
  const listed = await h.ctx.units.list({ app: "shop" });
  assert.ok(
    listed.every((u) => ![running, exited].includes(u.id)),
    "not listed (yk ps, logs) either",
  );
});

test("units of an app destroyed while the server was down are removed", async () => {
  const h = harness();
  await h.firstRelease("gone", { web: 1 });
  await h.settle();
  const ids = [...h.engine.units.keys()];
  h.store.deleteApp("gone"); // what a destroy that never reached the engine leaves
  await h.reconciler.pass();
  await h.settle();
  assert.ok(ids.every((id) => !h.engine.units.has(id)));
});

test("scaling down drains the extra web servers before their units stop (a plan run by the executor)", async () => {
  const h = harness({ surge: 2 }); // the two extra units run on while they drain
  await h.firstRelease("shop", { web: 3 });
  await h.settle();
  const processes = new Processes(h.ctx, h.deployer, h.reconciler);
  const before = h.router.applied.length;
  await processes.scale(h.store.getApp("shop")!, { web: 1 });
  await h.settle();
  const changes = h.router.applied.slice(before).map((d) => d.backends[0].servers.map((s) => s.state).join(","));
  assert.ok(
    changes[0].split(",").filter((x) => x === "drain").length === 2,
    `first the two extra drain: ${changes[0]}`,
  );
  assert.equal(changes.at(-1), "ready", "then they leave the router");
  assertConverged(h, "shop", 1);
});

test("while old units drain off the deploy's path, the app is busy: the reconciler leaves the draining server alone", async () => {
  const h = harness({ drainTimeoutSec: 30 });
  await h.firstRelease("shop", { web: 1 });
  await h.settle();
  const old = h.store.routedServers("shop")[0];
  h.router.sessions.set(old.name, 1); // a long request still in flight on the old server
  const { deploy } = h.deployer.submitChanges(
    "shop",
    "config",
    [{ kind: "config", set: { A: "1" }, unset: [] }],
    "Set A",
  );
  assert.equal((await h.wait(deploy.id)).status, "succeeded", "the deploy is done once traffic moved");
  await new Promise((r) => setTimeout(r, 20)); // the deploy's own turn in the app's lock is over
  assert.ok(h.ctx.locks.busy("shop"), "the retirement still runs");
  const p = await h.reconciler.pass();
  assert.deepEqual(p.unroute, [], "the draining server is not cut off");
  assert.ok(h.engine.units.has(old.unitId), "its unit still runs");
  h.router.sessions.clear(); // the request ends
  await h.settle();
  assert.ok(!h.engine.units.has(old.unitId));
  assertConverged(h, "shop", 1);
});
