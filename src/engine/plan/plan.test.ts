import { test } from "node:test";
import assert from "node:assert/strict";
import { planDeploy } from "./deploy-plan.js";
import { desiredRouter } from "./router-desired.js";
import { processContainerSpec } from "./container-spec.js";
import { DEFAULT_HEALTHCHECK } from "../../manifest/app-json.js";
import { EMPTY_MANIFEST, type Release, type RoutedServer } from "../../domain/types.js";
import type { ObservedContainer } from "../../docker/port.js";

const release = (version: number, processes: Record<string, string | null> = { web: null }): Release => ({
  id: 100 + version, app: "shop", version, image: `yadokari/shop:abc${version}`, commit: null, description: "Deploy", processes,
  config: {}, healthcheck: DEFAULT_HEALTHCHECK, formation: { web: 1 }, manifest: EMPTY_MANIFEST, createdBy: "admin", createdAt: "2026-01-01T00:00:00Z",
});
const server = (name: string, releaseId: number): RoutedServer => ({ app: "shop", process: "web", name, containerId: name + "id", releaseId, address: "172.18.0.2", port: 5000, weight: 100, state: "ready" });
const container = (name: string, release: number, state = "running"): ObservedContainer => ({ id: name + "id", name, app: "shop", process: "web", release, state, status: "", ip: "172.18.0.2", startedAt: null });

test("a first deploy starts, gates, commits and routes with nothing to retire", () => {
  const plan = planDeploy({ release: release(1), replicas: 2, observed: [], routed: [], suffixes: ["a1", "b2"], drainTimeoutSec: 30, stopTimeoutSec: 10 });
  assert.deepEqual(plan.map((s) => s.kind), ["start", "gate", "commit", "route", "retire"]);
  const start = plan[0] as Extract<(typeof plan)[0], { kind: "start" }>;
  assert.deepEqual(start.specs.map((s) => s.name), ["yk-shop-web-v1-a1", "yk-shop-web-v1-b2"]);
  const retire = plan[4] as Extract<(typeof plan)[0], { kind: "retire" }>;
  assert.equal(retire.servers.length + retire.containers.length, 0);
});

test("a redeploy drains and retires every old server and container, but only after commit", () => {
  const old = [server("yk-shop-web-v1-a1", 101), server("yk-shop-web-v1-b2", 101)];
  const observed = [container("yk-shop-web-v1-a1", 1), container("yk-shop-web-v1-b2", 1), container("yk-shop-web-v1-zz", 1, "exited")];
  const plan = planDeploy({ release: release(2), replicas: 2, observed, routed: old, suffixes: ["c3", "d4"], drainTimeoutSec: 30, stopTimeoutSec: 10 });
  const kinds = plan.map((s) => s.kind);
  assert.ok(kinds.indexOf("commit") < kinds.indexOf("route") && kinds.indexOf("gate") < kinds.indexOf("commit"));
  const route = plan[3] as Extract<(typeof plan)[0], { kind: "route" }>;
  assert.deepEqual(route.drain.map((s) => s.name), ["yk-shop-web-v1-a1", "yk-shop-web-v1-b2"]);
  const retire = plan[4] as Extract<(typeof plan)[0], { kind: "retire" }>;
  assert.equal(retire.containers.length, 3);
});

test("container spec: labels, init, port, network, shell for Procfile commands", () => {
  const spec = processContainerSpec(release(3, { web: "node server.js --port $PORT" }), "web", "x9", 10);
  assert.equal(spec.Labels["yadokari.app"], "shop");
  assert.equal(spec.Labels["yadokari.release"], "v3");
  assert.equal(spec.Labels["yadokari.process"], "web");
  assert.equal(spec.HostConfig.Init, true);
  assert.equal(spec.HostConfig.NetworkMode, "yadokari");
  assert.ok(spec.Env.includes("PORT=5000"));
  assert.ok(spec.Env.includes("YADOKARI_RELEASE=v3"));
  assert.deepEqual(spec.Cmd, ["/bin/sh", "-c", "node server.js --port $PORT"]);
  assert.equal(processContainerSpec(release(3), "web", "x9", 10).Cmd, undefined);
});

test("router desired state: a backend per app, default and custom hostnames", () => {
  const d = desiredRouter({ domain: "example.test", apps: [{ name: "shop", domains: ["www.shop.test"] }, { name: "blog", domains: [] }], servers: [server("s1", 101)] });
  assert.deepEqual(d.hosts, { "shop.example.test": "app_shop_web", "www.shop.test": "app_shop_web", "blog.example.test": "app_blog_web" });
  assert.deepEqual(d.backends.map((b) => [b.name, b.servers.length]), [["app_shop_web", 1], ["app_blog_web", 0]]);
});
