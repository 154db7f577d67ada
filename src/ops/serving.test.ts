import { test } from "node:test";
import assert from "node:assert/strict";
import { servingApps, type AppWant, type ServingUnit } from "./serving.js";
import type { RoutedServer } from "../domain/types.js";

const c = (id: string, app: string, process: string, releaseVersion: number, state = "running"): ServingUnit => ({
  id,
  app,
  process,
  releaseVersion,
  state,
});
const r = (id: string, app: string, state: "ready" | "drain" = "ready"): RoutedServer => ({
  app,
  process: "web",
  name: id,
  unitId: id,
  releaseId: 1,
  address: "10.0.0.1",
  port: 5000,
  weight: 100,
  state,
});

test("an app serves when its live release runs at its formation with web routed; old releases, drains and dead containers do not count", () => {
  const apps: AppWant[] = [
    { name: "shop", liveVersion: 3, formation: { web: 2, worker: 1 } },
    { name: "blog", liveVersion: 1, formation: { web: 1 } },
    { name: "new", liveVersion: null, formation: {} },
    { name: "stopped", liveVersion: 2, formation: { web: 0 } },
  ];
  const observed = [
    c("s1", "shop", "web", 3),
    c("s2", "shop", "web", 3),
    c("old", "shop", "web", 2),
    c("w1", "shop", "worker", 3),
    c("b1", "blog", "web", 1, "exited"),
  ];
  const routed = [r("s1", "shop"), r("s2", "shop"), r("old", "shop"), r("b1", "blog")];
  const out = servingApps(apps, observed, routed);
  assert.deepEqual(
    out.map((a) => [a.app, a.serving, a.missing]),
    [
      ["shop", true, []],
      ["blog", false, ["web 0/1 routed"]],
    ],
  );
  assert.deepEqual(out[0].processes, { web: [2, 2], worker: [1, 1] });
  const draining = servingApps(apps.slice(0, 1), observed, [r("s1", "shop"), r("s2", "shop", "drain")]);
  assert.deepEqual(draining[0].missing, ["web 1/2 routed"]);
  const noWorker = servingApps(apps.slice(0, 1), observed.slice(0, 2), routed);
  assert.deepEqual(noWorker[0].missing, ["worker 0/1 running"]);
});
