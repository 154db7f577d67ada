import { test } from "node:test";
import assert from "node:assert/strict";
import { openDb } from "../store/db.js";
import { Store } from "../store/store.js";
import { Keyring } from "../secrets/keyring.js";
import { EMPTY_MANIFEST } from "../domain/types.js";
import { DEFAULT_HEALTHCHECK } from "../manifest/app-json.js";
import { MetricsSeries } from "../metrics/series.js";
import type { RouterMetrics } from "../metrics/sampler.js";
import { AppError } from "../errors/app-error.js";
import { CanaryStore } from "./canary-store.js";
import { CanaryControl } from "./control.js";
import { resolveCanary } from "./settings.js";

function setup() {
  const db = openDb(":memory:");
  let now = 1_000_000;
  const store = new Store(db, { now: () => new Date(now) }, Keyring.ephemeral());
  store.createApp("shop");
  const rel = (v: number) =>
    store.createRelease({
      app: "shop",
      image: `i:${v}`,
      commit: null,
      description: "x",
      processes: { web: null },
      config: {},
      healthcheck: DEFAULT_HEALTHCHECK,
      formation: {},
      manifest: EMPTY_MANIFEST,
      createdBy: "admin",
    });
  const v1 = rel(1);
  const v2 = rel(2);
  const d = store.createDeploy({
    app: "shop",
    source: "config",
    commit: null,
    ref: null,
    actor: "admin",
    intent: { changes: [], description: "x" },
  });
  const canaries = new CanaryStore(db);
  const series = new MetricsSeries();
  const metrics = {
    series,
    figures: (a: string, r: number, f: number) => series.figures(a, r, f),
  } as unknown as RouterMetrics;
  const control = new CanaryControl({ store, canaries, metrics, now: () => now });
  return { store, canaries, control, d, v1, v2, tick: (ms: number) => void (now += ms), at: () => now };
}

test("control: pause stops the step's clock, resume adds the paused time, promote and abort are recorded for the runner", () => {
  const { canaries, control, d, v1, v2, tick, at } = setup();
  assert.equal(control.status("shop"), null);
  assert.throws(
    () => control.pause("shop"),
    (e: unknown) => e instanceof AppError && e.code === "no_canary",
  );
  canaries.create({
    deployId: d.id,
    app: "shop",
    releaseId: v2.id,
    previousReleaseId: v1.id,
    settings: resolveCanary({ stepSec: 60 }),
    now: at(),
  });
  canaries.update(d.id, {
    state: "running",
    stepIndex: 1,
    percent: 25,
    newWeight: 1,
    oldWeight: 3,
    stepStartedAt: at(),
  });
  tick(10_000);
  let st = control.status("shop")!;
  assert.equal(st.release, 2);
  assert.equal(st.previousRelease, 1);
  assert.deepEqual(st.steps, [5, 25, 50, 100]);
  assert.equal(st.heldSec, 10);
  assert.equal(st.nextStepInSec, 50);
  st = control.pause("shop");
  assert.equal(st.paused, true);
  assert.equal(st.nextStepInSec, null);
  tick(30_000);
  assert.equal(control.pause("shop").heldSec, 10, "a second pause changes nothing");
  st = control.resume("shop");
  assert.equal(st.paused, false);
  assert.equal(st.heldSec, 10);
  tick(5_000);
  assert.equal(control.status("shop")!.nextStepInSec, 45);
  assert.equal(canaries.get(d.id)!.pausedMs, 30_000);
  control.promote("shop");
  assert.equal(canaries.get(d.id)!.command, "promote");
  control.abort("shop");
  assert.equal(canaries.get(d.id)!.command, "abort");
  canaries.update(d.id, { state: "aborted", finishedAt: at() });
  assert.equal(control.status("shop")!.state, "aborted", "the last canary stays visible");
  assert.throws(
    () => control.abort("shop"),
    (e: unknown) => e instanceof AppError && e.code === "no_canary",
  );
});
