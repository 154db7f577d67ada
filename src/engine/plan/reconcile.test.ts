import { test } from "node:test";
import assert from "node:assert/strict";
import { reconcile, isEmptyPlan } from "./reconcile.js";
import type { ObservedContainer } from "../../docker/port.js";
import type { RoutedServer } from "../../domain/types.js";

const c = (name: string, release: number, state = "running", app = "shop", ip = "10.0.0.1"): ObservedContainer => ({ id: name, name, app, process: "web", release, state, status: "", ip, startedAt: null });
const s = (name: string, address = "10.0.0.1", state: "ready" | "drain" = "ready", app = "shop"): RoutedServer => ({ app, process: "web", name, containerId: name, releaseId: 1, address, port: 5000, weight: 100, state });
const shop = (over: Partial<{ replicas: number; liveVersion: number | null; busy: boolean }> = {}) => [{ name: "shop", replicas: 2, liveVersion: 2, busy: false, ...over }];

test("converged state gives an empty plan", () => {
  assert.ok(isEmptyPlan(reconcile(shop(), [c("a", 2), c("b", 2)], [s("a"), s("b")])));
});

test("killed mid-deploy before commit: the new release's containers go, the old stay routed", () => {
  const p = reconcile(shop({ liveVersion: 1 }), [c("old1", 1), c("old2", 1), c("new1", 2), c("new2", 2)], [s("old1"), s("old2")]);
  assert.deepEqual(p.remove.map((x) => x.id).sort(), ["new1", "new2"]);
  assert.equal(p.unroute.length + p.start.length + p.adopt.length, 0);
});

test("killed after commit, before routing: new containers are adopted, old ones unrouted and removed", () => {
  const p = reconcile(shop(), [c("old1", 1), c("old2", 1), c("new1", 2), c("new2", 2)], [s("old1"), s("old2")]);
  assert.deepEqual(p.adopt.map((x) => x.id), ["new1", "new2"]);
  assert.deepEqual(p.unroute.map((x) => x.name), ["old1", "old2"]);
  assert.deepEqual(p.remove.map((x) => x.id), ["old1", "old2"]);
  assert.deepEqual(p.start, []);
});

test("a crashed web container is unrouted, removed and replaced", () => {
  const p = reconcile(shop(), [c("a", 2), c("b", 2, "exited")], [s("a"), s("b")]);
  assert.deepEqual(p.unroute.map((x) => x.name), ["b"]);
  assert.deepEqual(p.remove.map((x) => x.id), ["b"]);
  assert.deepEqual(p.start, [{ app: "shop", count: 1 }]);
});

test("dockerd restart changed an address: the server is re-addressed", () => {
  const p = reconcile(shop(), [c("a", 2, "running", "shop", "10.0.0.9"), c("b", 2)], [s("a"), s("b")]);
  assert.deepEqual(p.readdress, [{ server: s("a"), address: "10.0.0.9" }]);
});

test("containers of a destroyed app are removed, a busy app is left alone", () => {
  const p = reconcile(shop({ busy: true }), [c("x", 1, "running", "gone"), c("new", 3)], [s("r", "10.0.0.1", "ready", "gone")]);
  assert.deepEqual(p.remove.map((x) => x.id), ["x"]);
  assert.deepEqual(p.unroute.map((x) => x.name), ["r"]);
});

test("fewer replicas: extras are unrouted and removed; none live: nothing started", () => {
  const p = reconcile(shop({ replicas: 1 }), [c("a", 2), c("b", 2)], [s("a"), s("b")]);
  assert.deepEqual(p.unroute.map((x) => x.name), ["b"]);
  assert.deepEqual(p.remove.map((x) => x.id), ["b"]);
  assert.deepEqual(reconcile(shop({ liveVersion: null }), [], []).start, []);
});

test("a server left draining by a killed retire is finished off", () => {
  const p = reconcile(shop(), [c("a", 2), c("b", 2), c("old", 1)], [s("a"), s("b"), s("old", "10.0.0.1", "drain")]);
  assert.deepEqual(p.unroute.map((x) => x.name), ["old"]);
  assert.deepEqual(p.remove.map((x) => x.id), ["old"]);
});
