import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDeploySettings, parseAppJson } from "../manifest/app-json.js";
import { AppError } from "../errors/app-error.js";
import { resolveCanary } from "./settings.js";

const refused = (body: unknown, pattern: RegExp) =>
  assert.throws(
    () => parseDeploySettings(body, "deploy settings"),
    (e: unknown) => e instanceof AppError && e.code === "invalid_manifest" && pattern.test(e.message),
  );

test("strategy settings: parsed, validated with the field's path, 100 appended to the steps", () => {
  assert.deepEqual(
    parseDeploySettings(
      { strategy: "canary", steps: [5, 25, 50], stepSec: 30, maxErrorPct: 2, minRequests: 50 },
      "deploy settings",
    ),
    { strategy: "canary", steps: [5, 25, 50, 100], stepSec: 30, maxErrorPct: 2, minRequests: 50 },
  );
  assert.deepEqual(parseDeploySettings({ steps: "10, 100" }, "deploy settings").steps, [10, 100]);
  refused({ strategy: "big-bang" }, /deploy settings\.strategy: must be one of rolling, canary, blue-green/);
  assert.deepEqual(parseDeploySettings({ strategy: "blue-green", idleSec: 30 }, "deploy settings"), {
    strategy: "blue-green",
    idleSec: 30,
  });
  refused({ idleSec: -1 }, /idleSec/);
  refused({ steps: [50, 25] }, /steps\[1\]: must be above the step before it/);
  refused({ steps: [0, 50] }, /steps\[0\]: must be a whole percentage from 1 to 100/);
  refused({ steps: [] }, /steps: must be 1 to 20 percentages/);
  refused({ steps: "5,x" }, /steps\[1\]/);
  refused({ stepSec: 0 }, /stepSec: must be a number of seconds from 1/);
  refused({ latencyFactor: 0.5 }, /latencyFactor/);
  refused({ minRequests: 1.5 }, /minRequests: must be a whole number/);
  refused({ stepz: 1 }, /deploy settings\.stepz: is not a setting \(maxSurge, pauseSec, strategy, steps/);
});

test("app.json yadokari.deploy carries the strategy; errors name app.json", () => {
  assert.equal(
    parseAppJson(JSON.stringify({ yadokari: { deploy: { strategy: "canary", stepSec: 5 } } })).deploy.strategy,
    "canary",
  );
  assert.throws(
    () => parseAppJson(JSON.stringify({ yadokari: { deploy: { steps: [200] } } })),
    /app\.json: yadokari\.deploy\.steps\[0\]/,
  );
});

test("defaults: 5, 25, 50, 100 % for 60 s, 1 % errors, 1 point margin, 1.5× p95 above 25 ms, 100 requests", () => {
  assert.deepEqual(resolveCanary({}), {
    steps: [5, 25, 50, 100],
    stepSec: 60,
    stepRequests: null,
    maxErrorPct: 1,
    errorMarginPct: 1,
    latencyFactor: 1.5,
    latencyFloorMs: 25,
    minRequests: 100,
  });
});
