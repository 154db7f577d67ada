import { test } from "node:test";
import assert from "node:assert/strict";
import { planDeploy, type Step, type DeployInput } from "./deploy-plan.js";
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
  config: {},
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
const container = (name: string, version: number, process = "web"): ObservedContainer => ({
  id: name + "id",
  name,
  app: "shop",
  process,
  release: version,
  state: "running",
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
  p.map((s) =>
    s.kind === "start" || s.kind === "gate" || s.kind === "route"
      ? `${s.kind}:${s.batch}`
      : s.kind === "canary"
        ? `canary:${s.percent}`
        : s.kind,
  );
const canary = { steps: [5, 25, 50, 100] };

test("canary, one replica: start and gate one new container, weighted steps, then live, then the old one retires", () => {
  const old = [server("old-a")];
  const p = plan({ release: release(2), routed: old, observed: [container("old-a", 1)], canary });
  assert.deepEqual(kinds(p), [
    "start:canary",
    "gate:canary",
    "canary:5",
    "canary:25",
    "canary:50",
    "canary:100",
    "commit",
    "retire",
  ]);
  const retire = p.at(-1) as Extract<Step, { kind: "retire" }>;
  assert.deepEqual(
    retire.servers.map((s) => s.name),
    ["old-a"],
  );
  assert.equal(retire.wait, false);
});

test("canary, four replicas and maxSurge 1: one canary container, then the formation completes within the surge bound", () => {
  const old = ["a", "b", "c", "d"].map((n) => server(`old-${n}`));
  const p = plan({
    release: release(2),
    formation: { web: 4 },
    settings: { maxSurge: 1 },
    routed: old,
    observed: old.map((s) => container(s.name, 1)),
    canary: { steps: [10, 100] },
  });
  assert.deepEqual(kinds(p), [
    "start:canary",
    "gate:canary",
    "canary:10",
    "canary:100",
    "commit",
    "retire",
    "start:web-2",
    "gate:web-2",
    "route:web-2",
    "retire",
    "start:web-3",
    "gate:web-3",
    "route:web-3",
    "retire",
    "start:web-4",
    "gate:web-4",
    "route:web-4",
    "retire",
  ]);
  let running = 4,
    maxRunning = 0;
  for (const s of p) {
    if (s.kind === "start") running += s.specs.length;
    if (s.kind === "retire") running -= s.containers.length;
    maxRunning = Math.max(maxRunning, running);
  }
  assert.equal(maxRunning, 5, "at most replicas + maxSurge");
  assert.equal(running, 4);
  const retires = p.filter((s): s is Extract<Step, { kind: "retire" }> => s.kind === "retire");
  assert.deepEqual(
    retires.map((r) => r.wait),
    [true, true, true, false],
  );
});

test("canary with maxSurge covering the formation starts all new containers at once", () => {
  const old = [server("old-a"), server("old-b")];
  const p = plan({
    release: release(2),
    formation: { web: 2 },
    settings: { maxSurge: 2 },
    routed: old,
    observed: old.map((s) => container(s.name, 1)),
    canary,
  });
  assert.equal((p[0] as Extract<Step, { kind: "start" }>).specs.length, 2);
  assert.deepEqual(kinds(p).slice(-2), ["commit", "retire"]);
});

test("a first deploy (nothing serving) rolls, even with canary asked for", () => {
  const p = plan({ release: release(1), canary });
  assert.deepEqual(kinds(p), ["start:web-1", "gate:web-1", "commit", "route:web-1"]);
});

test("the release phase runs before the canary starts; workers are replaced after it went live", () => {
  const rel = release(2, { web: null, worker: "node w.js" }, { ...EMPTY_MANIFEST, releaseCommand: "migrate" });
  const old = [server("old-a")];
  const p = plan({
    release: rel,
    formation: { web: 1, worker: 1 },
    routed: old,
    observed: [container("old-a", 1), container("old-w", 1, "worker")],
    canary: { steps: [50, 100] },
  });
  assert.deepEqual(kinds(p), [
    "release-phase",
    "start:canary",
    "gate:canary",
    "canary:50",
    "canary:100",
    "commit",
    "retire",
    "start:worker",
    "retire",
  ]);
});

test("resuming from a recorded step: no release phase, no new start, the steps from there on, own containers kept", () => {
  const rel = release(2, { web: null }, { ...EMPTY_MANIFEST, releaseCommand: "migrate" });
  const routed = [server("old-a"), server("new-a", rel.id)];
  const observed = [container("old-a", 1), container("new-a", 2)];
  const p = plan({ release: rel, routed, observed, canary: { ...canary, resume: { index: 2, started: 1 } } });
  assert.deepEqual(kinds(p), ["canary:50", "canary:100", "commit", "retire"]);
  const retire = p.at(-1) as Extract<Step, { kind: "retire" }>;
  assert.deepEqual(
    retire.containers.map((c) => c.name),
    ["old-a"],
  );
});

test("blue-green: the whole new set starts and is gated, then one switch; the old set stays on standby", () => {
  const old = [server("old-a"), server("old-b")];
  const p = plan({
    release: release(2),
    formation: { web: 2 },
    settings: { maxSurge: 1 },
    routed: old,
    observed: old.map((s) => container(s.name, 1)),
    blueGreen: true,
  });
  assert.deepEqual(kinds(p), ["start:green", "gate:green", "commit", "route:green", "standby"]);
  assert.equal((p[0] as Extract<Step, { kind: "start" }>).specs.length, 2, "the formation, not the surge");
  assert.deepEqual(
    (p[3] as Extract<Step, { kind: "route" }>).drain.map((s) => s.name),
    ["old-a", "old-b"],
  );
  assert.deepEqual(
    (p[4] as Extract<Step, { kind: "standby" }>).containers.map((c) => c.name),
    ["old-a", "old-b"],
  );
  // a first deploy has nothing to keep: it rolls
  assert.deepEqual(kinds(plan({ release: release(1), blueGreen: true })), [
    "start:web-1",
    "gate:web-1",
    "commit",
    "route:web-1",
  ]);
});
