import { test } from "node:test";
import assert from "node:assert/strict";
import { reconcile, isEmptyPlan, crashBackoffMs, type AppDesired, type ObservedUnit } from "./reconcile.js";
import { exitCodeFromStatus } from "../../engines/local/local-engine.js";
import type { RoutedServer } from "../../domain/types.js";

const c = (
  name: string,
  release: number,
  state = "running",
  process = "web",
  app = "shop",
  ip = "10.0.0.1",
): ObservedUnit => ({
  id: name,
  name,
  app,
  process,
  kind: process === "run" || process === "cron" || process === "release" ? process : "process",
  releaseVersion: release,
  state,
  status: state === "running" ? "Up" : "Exited (1) 1 second ago",
  exitCode: state === "running" ? null : 1,
  endpoint: { address: ip, port: 5000 },
  startedAt: null,
});
const s = (name: string, address = "10.0.0.1", state: "ready" | "drain" = "ready", app = "shop"): RoutedServer => ({
  app,
  process: "web",
  name,
  unitId: name,
  releaseId: 1,
  address,
  port: 5000,
  weight: 100,
  state,
});
const shop = (over: Partial<AppDesired> = {}): AppDesired[] => [
  { name: "shop", formation: { web: 2 }, liveVersion: 2, busy: false, backoffUntil: {}, ...over },
];
const NOW = 1_000_000;

test("converged state gives an empty plan", () => {
  assert.ok(isEmptyPlan(reconcile(shop(), [c("a", 2), c("b", 2)], [s("a"), s("b")], NOW)));
});

test("killed mid-deploy before commit: the new release's containers go, the old stay routed", () => {
  const p = reconcile(
    shop({ liveVersion: 1 }),
    [c("old1", 1), c("old2", 1), c("new1", 2), c("new2", 2)],
    [s("old1"), s("old2")],
    NOW,
  );
  assert.deepEqual(p.remove.map((x) => x.id).sort(), ["new1", "new2"]);
  assert.equal(p.unroute.length + p.start.length + p.adopt.length + p.crashed.length, 0);
});

test("killed after commit, before routing: new containers are adopted, old ones unrouted and removed", () => {
  const p = reconcile(shop(), [c("old1", 1), c("old2", 1), c("new1", 2), c("new2", 2)], [s("old1"), s("old2")], NOW);
  assert.deepEqual(
    p.adopt.map((x) => x.id),
    ["new1", "new2"],
  );
  assert.deepEqual(
    p.unroute.map((x) => x.name),
    ["old1", "old2"],
  );
  assert.deepEqual(
    p.remove.map((x) => x.id),
    ["old1", "old2"],
  );
  assert.deepEqual(p.start, []);
});

test("a crashed web container is unrouted, removed, counted as a crash and replaced", () => {
  const p = reconcile(shop(), [c("a", 2), c("b", 2, "exited")], [s("a"), s("b")], NOW);
  assert.deepEqual(
    p.unroute.map((x) => x.name),
    ["b"],
  );
  assert.deepEqual(
    p.remove.map((x) => x.id),
    ["b"],
  );
  assert.deepEqual(
    p.crashed.map((x) => x.id),
    ["b"],
  );
  assert.deepEqual(p.start, [{ app: "shop", process: "web", count: 1 }]);
});

test("a crash-looping worker waits out its backoff instead of spinning", () => {
  const apps = shop({ formation: { web: 1, worker: 1 }, backoffUntil: { worker: NOW + 4000 } });
  const p = reconcile(apps, [c("a", 2), c("w", 2, "exited", "worker")], [s("a")], NOW);
  assert.deepEqual(
    p.crashed.map((x) => x.id),
    ["w"],
  );
  assert.deepEqual(p.start, []);
  assert.deepEqual(p.waiting, [{ app: "shop", process: "worker", until: NOW + 4000 }]);
  const later = reconcile(apps, [c("a", 2)], [s("a")], NOW + 5000);
  assert.deepEqual(later.start, [{ app: "shop", process: "worker", count: 1 }]);
  assert.deepEqual([1, 2, 3, 10, 20].map(crashBackoffMs), [1000, 2000, 4000, 300000, 300000]);
});

test("workers: scaled up, scaled down, old release removed; one-off containers are not touched", () => {
  const apps = shop({ formation: { web: 1, worker: 2 } });
  const p = reconcile(
    apps,
    [
      c("a", 2),
      c("w1", 2, "running", "worker"),
      c("wold", 1, "running", "worker"),
      c("run", 1, "running", "run"),
      c("cron", 2, "exited", "cron"),
    ],
    [s("a")],
    NOW,
  );
  assert.deepEqual(
    p.remove.map((x) => x.id),
    ["wold"],
  );
  assert.deepEqual(p.start, [{ app: "shop", process: "worker", count: 1 }]);
  const down = reconcile(
    shop({ formation: { web: 1, worker: 0 } }),
    [c("a", 2), c("w1", 2, "running", "worker")],
    [s("a")],
    NOW,
  );
  assert.deepEqual(
    down.remove.map((x) => x.id),
    ["w1"],
  );
  assert.deepEqual(down.crashed, []);
});

test("dockerd restart changed an address: the server is re-addressed", () => {
  const p = reconcile(shop(), [c("a", 2, "running", "web", "shop", "10.0.0.9"), c("b", 2)], [s("a"), s("b")], NOW);
  assert.deepEqual(p.readdress, [{ server: s("a"), address: "10.0.0.9", port: 5000 }]);
});

test("containers of a destroyed app are removed, a busy app is left alone", () => {
  const p = reconcile(
    shop({ busy: true }),
    [c("x", 1, "running", "web", "gone"), c("new", 3)],
    [s("r", "10.0.0.1", "ready", "gone")],
    NOW,
  );
  assert.deepEqual(
    p.remove.map((x) => x.id),
    ["x"],
  );
  assert.deepEqual(
    p.unroute.map((x) => x.name),
    ["r"],
  );
});

test("fewer replicas: extras are unrouted and removed; a stopped app (all zeros) runs nothing", () => {
  const p = reconcile(shop({ formation: { web: 1 } }), [c("a", 2), c("b", 2)], [s("a"), s("b")], NOW);
  assert.deepEqual(
    p.unroute.map((x) => x.name),
    ["b"],
  );
  assert.deepEqual(
    p.remove.map((x) => x.id),
    ["b"],
  );
  const stopped = reconcile(shop({ formation: { web: 0 } }), [c("a", 2)], [s("a")], NOW);
  assert.deepEqual(
    stopped.remove.map((x) => x.id),
    ["a"],
  );
  assert.deepEqual(stopped.crashed, []);
  assert.deepEqual(reconcile(shop({ liveVersion: null }), [], [], NOW).start, []);
});

test("a server left draining by a killed retire is finished off", () => {
  const p = reconcile(
    shop(),
    [c("a", 2), c("b", 2), c("old", 1)],
    [s("a"), s("b"), s("old", "10.0.0.1", "drain")],
    NOW,
  );
  assert.deepEqual(
    p.unroute.map((x) => x.name),
    ["old"],
  );
  assert.deepEqual(
    p.remove.map((x) => x.id),
    ["old"],
  );
});

test("exit codes come from Docker's status text", () => {
  assert.equal(exitCodeFromStatus("Exited (137) 2 seconds ago"), 137);
  assert.equal(exitCodeFromStatus("Up 3 minutes"), null);
  // restart policy unless-stopped: a crashed container waits for Docker's restart as "restarting"
  assert.equal(exitCodeFromStatus("Restarting (3) Less than a second ago"), 3);
});

test("blue-green standby: the idle old web set is neither removed nor unrouted while it is kept; afterwards it goes", () => {
  const containers = [c("new1", 2), c("new2", 2), c("old1", 1), c("old2", 1), c("oldw", 1, "running", "worker")];
  const routed = [s("new1"), s("new2"), s("old1", "10.0.0.1", "drain"), s("old2", "10.0.0.1", "drain")];
  const kept = reconcile(shop({ standbyVersion: 1 }), containers, routed, NOW);
  assert.deepEqual(
    kept.remove.map((x) => x.id),
    ["oldw"],
    "only web containers stand by",
  );
  assert.deepEqual(kept.unroute, []);
  const gone = reconcile(shop({ standbyVersion: null }), containers, routed, NOW);
  assert.deepEqual(gone.remove.map((x) => x.id).sort(), ["old1", "old2", "oldw"]);
  assert.deepEqual(gone.unroute.map((x) => x.name).sort(), ["old1", "old2"]);
});
