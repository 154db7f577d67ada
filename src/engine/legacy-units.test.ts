import { test } from "node:test";
import assert from "node:assert/strict";
import { legacyUnits } from "./legacy-units.js";
import type { Unit } from "../engines/engine.js";

const unit = (id: string, name: string, image: string, over: Partial<Unit> = {}): Unit => ({
  id,
  name,
  state: "running",
  status: "Up",
  exitCode: null,
  startedAt: "2026-01-01T00:00:00Z",
  image,
  endpoint: null,
  node: null,
  labels: {},
  ...over,
});
const apps = [
  {
    name: "shop",
    releases: [
      { id: 1, version: 1, image: "yadokari/shop:a", processes: { web: null, worker: "w" } },
      { id: 2, version: 2, image: "yadokari/shop:b", processes: { web: null, worker: "w" } },
    ],
  },
  { name: "shop-admin", releases: [{ id: 3, version: 1, image: "yadokari/shop-admin:c", processes: { web: null } }] },
];
const routed = [
  {
    app: "shop",
    process: "web",
    name: "yk-shop-web-v2-aaaaaa",
    unitId: "w1",
    releaseId: 2,
    address: "10.0.0.2",
    port: 5000,
    weight: 100,
    state: "ready" as const,
  },
];
const adopt = (units: Unit[], before = Date.parse("2026-06-01T00:00:00Z")) =>
  legacyUnits({
    units,
    apps,
    routed,
    recorded: new Set(),
    before,
    createdAt: (u) => (u.startedAt ? Date.parse(u.startedAt) : null),
  });

test("upgrade: routed web units, and units with our names and their release's image created before, are adopted", () => {
  const r = adopt([
    unit("w1", "yk-shop-web-v2-aaaaaa", "yadokari/shop:b"),
    unit("k1", "yk-shop-worker-v2-bbbbbb", "yadokari/shop:b"),
    unit("c1", "yk-shop-cron-v2-nightly-report-17", "yadokari/shop:b"),
    unit("r1", "yk-shop-run-v1-cccccc", "yadokari/shop:a", { labels: { "yadokari.run.detach": "true" } }),
    unit("a1", "yk-shop-admin-web-v1-dddddd", "yadokari/shop-admin:c"),
  ]);
  assert.deepEqual(
    r.map((x) => [x.id, x.app, x.process, x.kind, x.releaseVersion, x.meta]),
    [
      ["w1", "shop", "web", "process", 2, {}],
      ["k1", "shop", "worker", "process", 2, {}],
      ["c1", "shop", "cron", "cron", 2, { cronRun: 17 }],
      ["r1", "shop", "run", "run", 1, { detach: true, tty: false }],
      ["a1", "shop-admin", "web", "process", 1, {}],
    ],
  );
});

test("upgrade: look-alikes are not adopted (another image, an unknown release or app, created after, an unknown process)", () => {
  const r = adopt([
    unit("x1", "yk-shop-web-v2-eeeeee", "attacker/image"),
    unit("x2", "yk-shop-web-v9-ffffff", "yadokari/shop:b"),
    unit("x3", "yk-nope-web-v1-gggggg", "yadokari/shop:a"),
    unit("x4", "yk-shop-web-v2-hhhhhh", "yadokari/shop:b", { startedAt: "2026-07-01T00:00:00Z" }),
    unit("x5", "yk-shop-sidecar-v2-iiiiii", "yadokari/shop:b"),
    unit("x6", "shop-web", "yadokari/shop:b"),
  ]);
  assert.deepEqual(r, []);
});
