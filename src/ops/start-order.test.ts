import { test } from "node:test";
import assert from "node:assert/strict";
import { runLimited, startPhases } from "./start-order.js";
import type { AppRepairs } from "../engine/plan/traffic-plans.js";

const spec = (process: string) => ({ process, specs: [] });
const repairs = (over: Partial<AppRepairs>): AppRepairs => ({
  unroute: [],
  readdress: [],
  remove: [],
  adopt: [],
  start: [],
  healthcheck: null,
  ...over,
});

test("every app's web first (with its route fixes, removals and adoptions), then the other process types", () => {
  const phases = startPhases([
    { app: "b", repairs: repairs({ start: [spec("worker"), spec("web")] }) },
    { app: "a", repairs: repairs({ adopt: ["u1"], start: [spec("clock")] }) },
    { app: "c", repairs: repairs({ start: [spec("worker")] }) },
  ]);
  assert.deepEqual(
    phases.map((p) => p.map((x) => `${x.app}:${[...x.repairs.adopt, ...x.repairs.start.map((s) => s.process)]}`)),
    [
      ["a:u1", "b:web"],
      ["a:clock", "b:worker", "c:worker"],
    ],
  );
  assert.deepEqual(phases[1][0].repairs.adopt, [], "the second phase only starts units");
  assert.deepEqual(startPhases([]), []);
});

test("runLimited never runs more than the limit at once and runs every task, failures included", async () => {
  let running = 0;
  let peak = 0;
  const done: number[] = [];
  const tasks = Array.from({ length: 10 }, (_, i) => async () => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 5));
    running--;
    done.push(i);
    if (i === 3) throw new Error("boom");
  });
  await runLimited(tasks, 3);
  assert.equal(peak, 3);
  assert.equal(done.length, 10);
});
