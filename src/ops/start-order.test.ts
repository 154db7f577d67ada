import { test } from "node:test";
import assert from "node:assert/strict";
import { repairPhases, runLimited } from "./start-order.js";

test("web first (adopt before start), then the other process types", () => {
  const phases = repairPhases([
    { app: "b", process: "worker", kind: "start" as const },
    { app: "b", process: "web", kind: "start" as const },
    { app: "a", process: "web", kind: "start" as const },
    { app: "a", process: "web", kind: "adopt" as const },
    { app: "a", process: "clock", kind: "start" as const },
  ]);
  assert.deepEqual(
    phases.map((p) => p.map((r) => `${r.app}/${r.process}/${r.kind}`)),
    [
      ["a/web/adopt", "a/web/start", "b/web/start"],
      ["a/clock/start", "b/worker/start"],
    ],
  );
  assert.deepEqual(repairPhases([]), []);
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
