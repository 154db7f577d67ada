import { test } from "node:test";
import assert from "node:assert/strict";
import { describeStep, planMigration, type LocalApp, type MigrationStep } from "./migration-plan.js";
import { DEFAULT_HEALTHCHECK } from "../manifest/app-json.js";
import { EMPTY_MANIFEST, type Release } from "../domain/types.js";

const release = (app: string, processes: Record<string, string | null>): Release => ({
  id: 1,
  app,
  version: 3,
  image: `yadokari/${app}:c0ffee1`,
  commit: "c0ffee1",
  description: "",
  processes,
  config: {},
  healthcheck: DEFAULT_HEALTHCHECK,
  formation: {},
  manifest: EMPTY_MANIFEST,
  createdBy: "admin",
  createdAt: "2026-01-01T00:00:00Z",
});

const plan = (apps: LocalApp[]) =>
  planMigration({ apps, instance: "i1", pullRef: (i) => `10.0.0.1:5443/${i}`, port: 5000, stopTimeoutSec: 10 });
const kinds = (steps: MigrationStep[], app: string) =>
  steps.filter((s) => "app" in s && s.app === app).map((s) => s.kind);

test("a running app: its swarm units start, pass the gate and take traffic before its containers are drained", () => {
  const steps = plan([
    {
      name: "shop",
      stopped: false,
      live: release("shop", { web: null, worker: "node w.js", agent: "node a.js" }),
      formation: { web: 3, worker: 1, agent: 0 },
      placement: { agent: { mode: "global", constraints: [], spread: [] } },
      mounts: [],
      containers: [
        { id: "w1", name: "yk-shop-web-v3-a", process: "web", routed: true },
        { id: "w2", name: "yk-shop-web-v3-b", process: "web", routed: true },
        { id: "k1", name: "yk-shop-worker-v3-c", process: "worker", routed: false },
      ],
    },
  ]);
  assert.deepEqual(steps.slice(0, 2), [
    { kind: "ensure-overlay", network: "yadokari-overlay" },
    { kind: "ensure-registry" },
  ]);
  assert.deepEqual(kinds(steps, "shop"), [
    "distribute-image",
    "create-service", // web first
    "await-tasks",
    "create-service", // agent: global, even with a formation of 0
    "await-tasks",
    "create-service", // worker
    "await-tasks",
    "gate-tasks",
    "route-tasks",
    "drain-containers",
    "remove-containers",
    "switch-engine",
  ]);
  const created = steps.flatMap((s) => (s.kind === "create-service" ? [s.spec] : []));
  assert.deepEqual(
    created.map((s) => [s.Name, s.Mode]),
    [
      ["yk-shop-web-v3", { Replicated: { Replicas: 3 } }],
      ["yk-shop-agent-v3", { Global: {} }],
      ["yk-shop-worker-v3", { Replicated: { Replicas: 1 } }],
    ],
  );
  assert.ok(created.every((s) => s.TaskTemplate.ContainerSpec.Image === "10.0.0.1:5443/yadokari/shop:c0ffee1"));
  const awaits = steps.flatMap((s) => (s.kind === "await-tasks" ? [s.want] : []));
  assert.deepEqual(awaits, [3, "every-node", 1]);
  const drain = steps.find((s) => s.kind === "drain-containers");
  assert.deepEqual(drain && "ids" in drain ? drain.ids : null, ["w1", "w2"]);
  const remove = steps.find((s) => s.kind === "remove-containers");
  assert.deepEqual(remove && "ids" in remove ? remove.ids : null, ["w1", "w2", "k1"]);
  assert.ok(steps.every((s) => describeStep(s).length > 0));
});

test("stopped apps and apps never deployed start nothing on the swarm; apps are moved in name order", () => {
  const steps = plan([
    {
      name: "zeta",
      stopped: true,
      live: release("zeta", { web: null }),
      formation: { web: 2 },
      placement: {},
      mounts: [],
      containers: [],
    },
    { name: "alpha", stopped: false, live: null, formation: {}, placement: {}, mounts: [], containers: [] },
  ]);
  assert.deepEqual(
    steps.slice(2).map((s) => [s.kind, "app" in s ? s.app : null]),
    [
      ["switch-engine", "alpha"],
      ["switch-engine", "zeta"],
    ],
  );
});
