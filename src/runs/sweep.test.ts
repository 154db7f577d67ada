import { test } from "node:test";
import assert from "node:assert/strict";
import { planSweep, type RunContainer, type SweepInput } from "./sweep.js";

const MIN = 60_000;
const now = 100 * MIN;
const input = (runs: RunContainer[], over: Partial<SweepInput> = {}): SweepInput => ({
  runs,
  active: new Set(),
  exitedSince: new Map(),
  now,
  graceMs: 10 * MIN,
  unattachedMs: 10 * MIN,
  ...over,
});
const c = (id: string, state: string, detached: boolean | null, ageMin = 1): RunContainer => ({
  id,
  state,
  detached,
  createdAtMs: now - ageMin * MIN,
});

test("runs with a session here are left to it", () => {
  const plan = planSweep(
    input([c("a", "exited", false), c("b", "running", false), c("c", "created", false, 60)], {
      active: new Set(["a", "b", "c"]),
    }),
  );
  assert.deepEqual(plan, { remove: [], firstExited: [] });
});

test("never attached: removed once older than the attach window", () => {
  assert.deepEqual(planSweep(input([c("new", "created", false, 2), c("old", "created", false, 11)])).remove, ["old"]);
});

test("an attached run whose client is gone (server restarted) is removed; a detached one keeps running", () => {
  assert.deepEqual(
    planSweep(input([c("orphan", "running", false), c("bg", "running", true), c("unknown", "running", null)])).remove,
    ["orphan"],
  );
});

test("exited: attached runs go at once; detached ones after the grace period, counted from when first seen exited", () => {
  const first = planSweep(input([c("att", "exited", false), c("det", "exited", true), c("dead", "dead", null)]));
  assert.deepEqual(first, { remove: ["att", "dead"], firstExited: ["det"] });
  assert.deepEqual(
    planSweep(input([c("det", "exited", true)], { exitedSince: new Map([["det", now - 9 * MIN]]) })).remove,
    [],
  );
  assert.deepEqual(
    planSweep(input([c("det", "exited", true)], { exitedSince: new Map([["det", now - 10 * MIN]]) })).remove,
    ["det"],
  );
});
