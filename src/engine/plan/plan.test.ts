import { test } from "node:test";
import assert from "node:assert/strict";
import { planDeploy, resolveSurge, type Step, type DeployInput } from "./deploy-plan.js";
import { desiredRouter } from "./router-desired.js";
import { processContainerSpec, oneOffSpec } from "./container-spec.js";
import { DEFAULT_HEALTHCHECK } from "../../manifest/app-json.js";
import { EMPTY_MANIFEST, type Release, type RoutedServer } from "../../domain/types.js";
import type { ObservedContainer } from "../../docker/port.js";

const release = (
  version: number,
  processes: Record<string, string | null> = { web: null },
  manifest = EMPTY_MANIFEST,
): Release => ({
  id: 100 + version,
  app: "shop",
  version,
  image: `yadokari/shop:abc${version}`,
  commit: null,
  description: "Deploy",
  processes,
  config: { DATABASE_URL: "postgres://x" },
  healthcheck: DEFAULT_HEALTHCHECK,
  formation: { web: 1 },
  manifest,
  createdBy: "admin",
  createdAt: "2026-01-01T00:00:00Z",
});
const server = (name: string, releaseId = 101): RoutedServer => ({
  app: "shop",
  process: "web",
  name,
  containerId: name + "id",
  releaseId,
  address: "172.18.0.2",
  port: 5000,
  weight: 100,
  state: "ready",
});
const container = (name: string, release: number, process = "web", state = "running"): ObservedContainer => ({
  id: name + "id",
  name,
  app: "shop",
  process,
  release,
  state,
  status: "",
  ip: "172.18.0.2",
  startedAt: null,
});

function plan(over: Partial<DeployInput> & { release: Release }): Step[] {
  let n = 0;
  return planDeploy({
    formation: { web: 1 },
    settings: {},
    observed: [],
    routed: [],
    suffix: () => `s${++n}`,
    mounts: [],
    stopTimeoutSec: 10,
    pidsLimit: 1024,
    releasePhaseTimeoutSec: 60,
    ...over,
  });
}
const kinds = (p: Step[]) =>
  p.map((s) => (s.kind === "start" || s.kind === "gate" || s.kind === "route" ? `${s.kind}:${s.batch}` : s.kind));

test("a first deploy starts, gates, commits and routes with nothing to retire", () => {
  const p = plan({ release: release(1), formation: { web: 2 }, settings: { maxSurge: 2 } });
  assert.deepEqual(kinds(p), ["start:web-1", "gate:web-1", "commit", "route:web-1"]);
  assert.deepEqual(
    (p[0] as Extract<Step, { kind: "start" }>).specs.map((s) => s.name),
    ["yk-shop-web-v1-s1", "yk-shop-web-v1-s2"],
  );
});

test("rolling batches: never fewer than the formation routed, never more than formation + maxSurge running", () => {
  const old = ["a", "b", "c", "d"].map((n) => server(`old-${n}`));
  const observed = old.map((s) => container(s.name, 1));
  const p = plan({
    release: release(2),
    formation: { web: 4 },
    settings: { maxSurge: 1, pauseSec: 2 },
    observed,
    routed: old,
  });
  assert.deepEqual(kinds(p), [
    "start:web-1",
    "gate:web-1",
    "commit",
    "route:web-1",
    "retire",
    "pause",
    "start:web-2",
    "gate:web-2",
    "route:web-2",
    "retire",
    "pause",
    "start:web-3",
    "gate:web-3",
    "route:web-3",
    "retire",
    "pause",
    "start:web-4",
    "gate:web-4",
    "route:web-4",
    "retire",
  ]);
  // simulate: count routed-ready and running containers after every step
  let running = 4,
    ready = 4,
    maxRunning = 0,
    minReady = 4;
  for (const s of p) {
    if (s.kind === "start") running += s.specs.length;
    if (s.kind === "route")
      ready +=
        (p.find((x) => x.kind === "start" && x.batch === s.batch) as Extract<Step, { kind: "start" }>).specs.length -
        s.drain.length;
    if (s.kind === "retire") running -= s.containers.length;
    maxRunning = Math.max(maxRunning, running);
    minReady = Math.min(minReady, ready);
  }
  assert.equal(maxRunning, 5, "at most replicas + maxSurge");
  assert.equal(minReady, 4, "never fewer than replicas routed");
  const retires = p.filter((s): s is Extract<Step, { kind: "retire" }> => s.kind === "retire");
  assert.deepEqual(
    retires.map((r) => r.wait),
    [true, true, true, false],
    "mid-rollout retires finish before the next batch",
  );
});

test("surge: a number, a percentage rounded up, by default 25% and at least 1", () => {
  assert.equal(resolveSurge(undefined, 4), 1);
  assert.equal(resolveSurge(undefined, 8), 2);
  assert.equal(resolveSurge("50%", 3), 2);
  assert.equal(resolveSurge(3, 2), 2);
  assert.equal(resolveSurge(undefined, 0), 1);
});

test("release phase first; workers start new then stop old; one-off containers are left alone", () => {
  const r = release(
    2,
    { web: null, worker: "node worker.js" },
    { ...EMPTY_MANIFEST, releaseCommand: "node migrate.js" },
  );
  const observed = [
    container("w-old", 1),
    container("worker-old", 1, "worker"),
    container("run-1", 1, "run"),
    container("cron-1", 1, "cron"),
  ];
  const p = plan({ release: r, formation: { web: 1, worker: 2 }, observed, routed: [server("w-old")] });
  assert.deepEqual(kinds(p), [
    "release-phase",
    "start:web-1",
    "gate:web-1",
    "commit",
    "route:web-1",
    "retire",
    "start:worker",
    "retire",
  ]);
  const phase = p[0] as Extract<Step, { kind: "release-phase" }>;
  assert.deepEqual(phase.spec.Cmd, ["/bin/sh", "-c", "node migrate.js"]);
  assert.ok(phase.spec.Env.includes("DATABASE_URL=postgres://x"));
  const retired = p
    .filter((s): s is Extract<Step, { kind: "retire" }> => s.kind === "retire")
    .flatMap((s) => s.containers.map((c) => c.name));
  assert.deepEqual(retired.sort(), ["w-old", "worker-old"]);
  assert.equal((p[6] as Extract<Step, { kind: "start" }>).specs.length, 2);
});

test("ps:restart of one type replaces only that type, without the release phase", () => {
  const r = release(1, { web: null, worker: "node w.js" }, { ...EMPTY_MANIFEST, releaseCommand: "x" });
  const p = plan({
    release: r,
    formation: { web: 1, worker: 1 },
    observed: [container("w", 1), container("k", 1, "worker")],
    routed: [server("w")],
    only: ["worker"],
  });
  assert.deepEqual(kinds(p), ["commit", "start:worker", "retire"]);
});

test("container spec: labels, init, port, network, shell for Procfile commands, mounts; one-offs take argv as is", () => {
  const spec = processContainerSpec(release(3, { web: "node server.js --port $PORT" }), "web", "x9", 10, [
    { hostPath: "/srv/data", containerPath: "/data" },
  ]);
  assert.equal(spec.Labels["yadokari.app"], "shop");
  assert.equal(spec.Labels["yadokari.release"], "v3");
  assert.equal(spec.Labels["yadokari.process"], "web");
  assert.equal(spec.HostConfig.Init, true);
  assert.equal(spec.HostConfig.NetworkMode, "yadokari");
  assert.deepEqual(spec.HostConfig.Binds, ["/srv/data:/data"]);
  assert.ok(spec.Env.includes("PORT=5000"));
  assert.ok(spec.Env.includes("YADOKARI_RELEASE=v3"));
  assert.deepEqual(spec.Cmd, ["/bin/sh", "-c", "node server.js --port $PORT"]);
  assert.equal(processContainerSpec(release(3), "web", "x9", 10).Cmd, undefined);
  assert.deepEqual(oneOffSpec(release(3), "run", ["echo", "; rm -rf /"], "z").Cmd, ["echo", "; rm -rf /"]);
  assert.equal(spec.HostConfig.Privileged, false);
  assert.deepEqual(spec.HostConfig.SecurityOpt, ["no-new-privileges"]);
});

test("router desired state: a backend per app, default and custom hostnames", () => {
  const d = desiredRouter({
    domain: "example.test",
    apps: [
      { name: "shop", domains: ["www.shop.test"] },
      { name: "blog", domains: [] },
    ],
    servers: [server("s1")],
  });
  assert.deepEqual(d.hosts, {
    "shop.example.test": "app_shop_web",
    "www.shop.test": "app_shop_web",
    "blog.example.test": "app_blog_web",
  });
  assert.deepEqual(
    d.backends.map((b) => [b.name, b.servers.length]),
    [
      ["app_shop_web", 1],
      ["app_blog_web", 0],
    ],
  );
});
