import { test } from "node:test";
import assert from "node:assert/strict";
import { planDeploy, type Step, type DeployInput, type PlanUnit } from "./deploy-plan.js";
import { kinds } from "./plan.test.js";
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
  unitId: name + "id",
  releaseId,
  address: "172.18.0.2",
  port: 5000,
  weight: 100,
  state: "ready",
});
const unit = (name: string, version: number, process = "web"): PlanUnit => ({
  id: name + "id",
  name,
  process,
  kind: "process",
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
/** The canary steps as "weights:p%" and "hold:p%", the rest as plan.test's kinds. */
const shape = (p: Step[]) =>
  kinds(p).map((k, i) => {
    const s = p[i];
    return (s.kind === "weights" || s.kind === "hold") && s.canary ? `${s.kind}:${s.canary.percent}%` : k;
  });
const canary = { steps: [5, 25, 50, 100] };
const weightsOf = (p: Step[]) =>
  p.filter((s): s is Extract<Step, { kind: "weights" }> => s.kind === "weights" && !!s.canary);

test("canary, one replica: start and gate one new unit, weights and a hold per step, then live, then the old one retires", () => {
  const old = [server("old-a")];
  const p = plan({ release: release(2), routed: old, observed: [unit("old-a", 1)], canary });
  assert.deepEqual(shape(p), [
    "start:canary",
    "gate:canary",
    "weights:5%",
    "hold:5%",
    "weights:25%",
    "hold:25%",
    "weights:50%",
    "hold:50%",
    "weights:100%",
    "hold:100%",
    "commit",
    "background[drain,remove]",
  ]);
  // the weights are decided by the plan: 1 new against 1 old at 5 % is 1:19
  const w = weightsOf(p);
  assert.deepEqual(w[0].route, [{ batch: "canary", weight: 1 }]);
  assert.deepEqual(w[0].set, [{ name: "old-a", weight: 19, state: "ready" }]);
  assert.deepEqual(w[3].route, [{ batch: "canary", weight: 100 }]);
  assert.deepEqual(w[3].set, [{ name: "old-a", weight: 0, state: "ready" }]);
  const retire = p.at(-1) as Extract<Step, { kind: "background" }>;
  assert.deepEqual(retire.steps[1], { kind: "remove", name: "remove", servers: ["old-a"], unitIds: ["old-aid"] });
});

test("canary, four replicas and maxSurge 1: one canary unit, then the formation completes within the surge bound", () => {
  const old = ["a", "b", "c", "d"].map((n) => server(`old-${n}`));
  const p = plan({
    release: release(2),
    formation: { web: 4 },
    settings: { maxSurge: 1 },
    routed: old,
    observed: old.map((s) => unit(s.name, 1)),
    canary: { steps: [10, 100] },
  });
  assert.deepEqual(shape(p), [
    "start:canary",
    "gate:canary",
    "weights:10%",
    "hold:10%",
    "weights:100%",
    "hold:100%",
    "commit",
    "drain",
    "remove",
    "start:web-2",
    "gate:web-2",
    "weights:route web-2",
    "drain",
    "remove",
    "start:web-3",
    "gate:web-3",
    "weights:route web-3",
    "drain",
    "remove",
    "start:web-4",
    "gate:web-4",
    "weights:route web-4",
    "background[drain,remove]",
  ]);
  let running = 4,
    maxRunning = 0;
  const sim = (steps: Step[]) => {
    for (const s of steps) {
      if (s.kind === "start") running += s.specs.length;
      if (s.kind === "remove") running -= s.unitIds.length;
      if (s.kind === "background") sim(s.steps);
      maxRunning = Math.max(maxRunning, running);
    }
  };
  sim(p);
  assert.equal(maxRunning, 5, "at most replicas + maxSurge");
  assert.equal(running, 4);
  // 10 % of one new against four old: 1 new at weight w, 4 old at w' with w / (w + 4w') = 0.1
  const w = weightsOf(p)[0];
  const share = w.route![0].weight / (w.route![0].weight + 4 * w.set![0].weight);
  assert.ok(Math.abs(share - 0.1) < 1e-9, String(share));
});

test("canary with maxSurge covering the formation starts all new units at once", () => {
  const old = [server("old-a"), server("old-b")];
  const p = plan({
    release: release(2),
    formation: { web: 2 },
    settings: { maxSurge: 2 },
    routed: old,
    observed: old.map((s) => unit(s.name, 1)),
    canary,
  });
  assert.equal((p[0] as Extract<Step, { kind: "start" }>).specs.length, 2);
  assert.deepEqual(kinds(p).slice(-2), ["commit", "background[drain,remove]"]);
});

test("a first deploy (nothing serving) rolls, even with canary asked for", () => {
  const p = plan({ release: release(1), canary });
  assert.deepEqual(kinds(p), ["start:web-1", "gate:web-1", "commit", "weights:route web-1"]);
});

test("the release phase runs before the canary starts; workers are replaced after it went live", () => {
  const rel = release(2, { web: null, worker: "node w.js" }, { ...EMPTY_MANIFEST, releaseCommand: "migrate" });
  const old = [server("old-a")];
  const p = plan({
    release: rel,
    formation: { web: 1, worker: 1 },
    routed: old,
    observed: [unit("old-a", 1), unit("old-w", 1, "worker")],
    canary: { steps: [50, 100] },
  });
  assert.deepEqual(shape(p), [
    "release-phase",
    "start:canary",
    "gate:canary",
    "weights:50%",
    "hold:50%",
    "weights:100%",
    "hold:100%",
    "commit",
    "background[drain,remove]",
    "start:worker",
    "background[remove]",
  ]);
});

test("resuming from a recorded step: no release phase, no new start, the steps from there on, own units kept", () => {
  const rel = release(2, { web: null }, { ...EMPTY_MANIFEST, releaseCommand: "migrate" });
  const routed = [server("old-a"), server("new-a", rel.id)];
  const observed = [unit("old-a", 1), unit("new-a", 2)];
  const p = plan({ release: rel, routed, observed, canary: { ...canary, resume: { index: 2, unitIds: ["new-aid"] } } });
  assert.deepEqual(shape(p), [
    "adopt:canary",
    "weights:50%",
    "hold:50%",
    "weights:100%",
    "hold:100%",
    "commit",
    "background[drain,remove]",
  ]);
  const retire = p.at(-1) as Extract<Step, { kind: "background" }>;
  assert.deepEqual((retire.steps[1] as Extract<Step, { kind: "remove" }>).unitIds, ["old-aid"]);
});

test("blue-green: the whole new set starts and is gated, then one switch; the old set stays on standby", () => {
  const old = [server("old-a"), server("old-b")];
  const p = plan({
    release: release(2),
    formation: { web: 2 },
    settings: { maxSurge: 1 },
    routed: old,
    observed: old.map((s) => unit(s.name, 1)),
    blueGreen: { idleSec: 60, previousReleaseId: 101 },
  });
  assert.deepEqual(kinds(p), ["start:green", "gate:green", "commit", "weights:route green", "standby"]);
  assert.equal((p[0] as Extract<Step, { kind: "start" }>).specs.length, 2, "the formation, not the surge");
  assert.deepEqual((p[3] as Extract<Step, { kind: "weights" }>).set, [
    { name: "old-a", weight: 100, state: "drain" },
    { name: "old-b", weight: 100, state: "drain" },
  ]);
  assert.deepEqual(p[4], { kind: "standby", releaseId: 101, servers: ["old-a", "old-b"], idleSec: 60 });
  // a first deploy has nothing to keep: it rolls
  assert.deepEqual(kinds(plan({ release: release(1), blueGreen: { idleSec: 60, previousReleaseId: 0 } })), [
    "start:web-1",
    "gate:web-1",
    "commit",
    "weights:route web-1",
  ]);
});
