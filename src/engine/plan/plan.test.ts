import { test } from "node:test";
import assert from "node:assert/strict";
import { planDeploy, resolveSurge, type Step, type DeployInput, type PlanUnit } from "./deploy-plan.js";
import { desiredRouter } from "./router-desired.js";
import { processUnitSpec, oneOffUnitSpec } from "./unit-spec.js";
import { containerBody } from "../../engines/local/container-body.js";
import { DEFAULT_HEALTHCHECK } from "../../manifest/app-json.js";
import { EMPTY_MANIFEST, type Release, type RoutedServer } from "../../domain/types.js";

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
  unitId: name + "id",
  releaseId,
  address: "172.18.0.2",
  port: 5000,
  weight: 100,
  state: "ready",
});
const unit = (name: string, version: number, process = "web", kind: PlanUnit["kind"] = "process"): PlanUnit => ({
  id: name + "id",
  name,
  process,
  kind,
  releaseVersion: version,
  state: "running",
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
    commit: { config: null, formation: null },
    ...over,
  });
}
export const kinds = (p: Step[]): string[] =>
  p.map((s) =>
    s.kind === "start" || s.kind === "gate" || s.kind === "adopt"
      ? `${s.kind}:${s.batch}`
      : s.kind === "weights" || s.kind === "hold"
        ? `${s.kind}:${s.name}`
        : s.kind === "background"
          ? `background[${kinds(s.steps).join(",")}]`
          : s.kind,
  );
/** Every unit a plan removes, in the foreground or in the background. */
const removed = (p: Step[]): string[] =>
  p.flatMap((s) => (s.kind === "remove" ? s.unitIds : s.kind === "background" ? removed(s.steps) : []));

test("a first deploy starts, gates, commits and routes with nothing to retire", () => {
  const p = plan({ release: release(1), formation: { web: 2 }, settings: { maxSurge: 2 } });
  assert.deepEqual(kinds(p), ["start:web-1", "gate:web-1", "commit", "weights:route web-1"]);
  assert.deepEqual(
    (p[0] as Extract<Step, { kind: "start" }>).specs.map((s) => s.name),
    ["yk-shop-web-v1-s1", "yk-shop-web-v1-s2"],
  );
  const commit = p[2] as Extract<Step, { kind: "commit" }>;
  assert.equal(commit.change.releaseId, 101);
});

test("rolling batches: never fewer than the formation routed, never more than formation + maxSurge running", () => {
  const old = ["a", "b", "c", "d"].map((n) => server(`old-${n}`));
  const observed = old.map((s) => unit(s.name, 1));
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
    "weights:route web-1",
    "drain",
    "remove",
    "hold:pause",
    "start:web-2",
    "gate:web-2",
    "weights:route web-2",
    "drain",
    "remove",
    "hold:pause",
    "start:web-3",
    "gate:web-3",
    "weights:route web-3",
    "drain",
    "remove",
    "hold:pause",
    "start:web-4",
    "gate:web-4",
    "weights:route web-4",
    "background[drain,remove]",
  ]);
  // simulate: count routed-ready and running units after every step
  let running = 4,
    ready = 4,
    maxRunning = 0,
    minReady = 4;
  const sim = (steps: Step[]) => {
    for (const s of steps) {
      if (s.kind === "start") running += s.specs.length;
      if (s.kind === "weights")
        ready +=
          (s.route ?? []).reduce(
            (n, r) =>
              n +
              (p.find((x) => x.kind === "start" && x.batch === r.batch) as Extract<Step, { kind: "start" }>).specs
                .length,
            0,
          ) - (s.set ?? []).filter((c) => c.state === "drain").length;
      if (s.kind === "remove") running -= s.unitIds.length;
      if (s.kind === "background") sim(s.steps);
      maxRunning = Math.max(maxRunning, running);
      minReady = Math.min(minReady, ready);
    }
  };
  sim(p);
  assert.equal(maxRunning, 5, "at most replicas + maxSurge");
  assert.equal(minReady, 4, "never fewer than replicas routed");
  assert.equal(running, 4);
  assert.deepEqual(removed(p).sort(), ["old-aid", "old-bid", "old-cid", "old-did"]);
});

test("surge: a number, a percentage rounded up, by default 25% and at least 1", () => {
  assert.equal(resolveSurge(undefined, 4), 1);
  assert.equal(resolveSurge(undefined, 8), 2);
  assert.equal(resolveSurge("50%", 3), 2);
  assert.equal(resolveSurge(3, 2), 2);
  assert.equal(resolveSurge(undefined, 0), 1);
});

test("release phase first; workers start new then stop old; one-off units are left alone", () => {
  const r = release(
    2,
    { web: null, worker: "node worker.js" },
    { ...EMPTY_MANIFEST, releaseCommand: "node migrate.js" },
  );
  const observed = [
    unit("w-old", 1),
    unit("worker-old", 1, "worker"),
    unit("run-1", 1, "run", "run"),
    unit("cron-1", 1, "cron", "cron"),
  ];
  const p = plan({ release: r, formation: { web: 1, worker: 2 }, observed, routed: [server("w-old")] });
  assert.deepEqual(kinds(p), [
    "release-phase",
    "start:web-1",
    "gate:web-1",
    "commit",
    "weights:route web-1",
    "background[drain,remove]",
    "start:worker",
    "background[remove]",
  ]);
  const phase = p[0] as Extract<Step, { kind: "release-phase" }>;
  assert.deepEqual(phase.spec.command, ["/bin/sh", "-c", "node migrate.js"]);
  assert.equal(phase.spec.env.DATABASE_URL, "postgres://x");
  assert.equal(phase.spec.kind, "release");
  assert.deepEqual(removed(p).sort(), ["w-oldid", "worker-oldid"]);
  assert.equal((p[6] as Extract<Step, { kind: "start" }>).specs.length, 2);
});

test("a process type named like a one-off (cron) is a process when the release has it", () => {
  const r = release(2, { web: null, cron: "node clock.js" });
  const p = plan({
    release: r,
    formation: { web: 1, cron: 1 },
    observed: [unit("w-old", 1), unit("clock-old", 1, "cron"), unit("cronrun", 1, "cron", "cron")],
    routed: [server("w-old")],
  });
  assert.deepEqual(removed(p).sort(), ["clock-oldid", "w-oldid"], "the cron run (a one-off unit) stays");
});

test("ps:restart of one type replaces only that type, without the release phase", () => {
  const r = release(1, { web: null, worker: "node w.js" }, { ...EMPTY_MANIFEST, releaseCommand: "x" });
  const p = plan({
    release: r,
    formation: { web: 1, worker: 1 },
    observed: [unit("w", 1), unit("k", 1, "worker")],
    routed: [server("w")],
    only: ["worker"],
  });
  assert.deepEqual(kinds(p), ["commit", "start:worker", "background[remove]"]);
});

test("unit spec: labels, init, port, network, shell for Procfile commands, mounts; one-offs take argv as is", () => {
  const u = processUnitSpec(release(3, { web: "node server.js --port $PORT" }), "web", "x9", 10, [
    { hostPath: "/srv/data", containerPath: "/data" },
  ]);
  assert.equal(u.releaseId, 103);
  assert.equal(u.port, 5000);
  const spec = containerBody(u, "yadokari");
  assert.equal(spec.Labels["yadokari.app"], "shop");
  assert.equal(spec.Labels["yadokari.release"], "v3");
  assert.equal(spec.Labels["yadokari.process"], "web");
  assert.equal(spec.HostConfig.Init, true);
  assert.equal(spec.HostConfig.NetworkMode, "yadokari");
  assert.deepEqual(spec.HostConfig.Binds, ["/srv/data:/data"]);
  assert.ok(spec.Env.includes("PORT=5000"));
  assert.ok(spec.Env.includes("YADOKARI_RELEASE=v3"));
  assert.deepEqual(spec.Cmd, ["/bin/sh", "-c", "node server.js --port $PORT"]);
  assert.equal(containerBody(processUnitSpec(release(3), "web", "x9", 10), "yadokari").Cmd, undefined);
  assert.deepEqual(containerBody(oneOffUnitSpec(release(3), "run", ["echo", "; rm -rf /"], "z"), "n").Cmd, [
    "echo",
    "; rm -rf /",
  ]);
  assert.equal(spec.HostConfig.Privileged, false);
  assert.deepEqual(spec.HostConfig.SecurityOpt, ["no-new-privileges"]);
  assert.equal(spec.HostConfig.PidsLimit, 1024);
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
