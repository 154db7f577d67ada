import { test } from "node:test";
import assert from "node:assert/strict";
import { renderDeployStatus } from "./canary.js";
import { strategyFlagsToSettings, parseDuration } from "./deploy-settings.js";
import { summarize } from "../../metrics/series.js";
import { CliError } from "../api-client.js";

test("deploy:set canary flags become settings; durations take units", () => {
  assert.deepEqual(
    strategyFlagsToSettings({
      strategy: "canary",
      steps: "5,25%,50,100",
      stepDuration: "2m",
      maxErrorRate: "1%",
      latencyFactor: "1.5x",
      latencyFloor: "40",
      minRequests: "200",
    }),
    {
      strategy: "canary",
      steps: [5, 25, 50, 100],
      stepSec: 120,
      maxErrorPct: 1,
      latencyFactor: 1.5,
      latencyFloorMs: 40,
      minRequests: 200,
    },
  );
  assert.equal(parseDuration("500ms", "--x"), 0.5);
  assert.equal(parseDuration("90", "--x"), 90);
  assert.throws(() => parseDuration("soon", "--step-duration"), CliError);
  assert.throws(() => strategyFlagsToSettings({ steps: "5;25" }), CliError);
});

test("deploy:status shows step, traffic, weights, the time to the next step and both releases' figures", () => {
  const f = { ...summarize([]), requests: 500, rps: 50, p95Ms: 3.2 };
  const out = renderDeployStatus({
    app: "web",
    deploy: { id: 12, number: 12, status: "deploying", reason: null },
    canary: {
      deployId: 12,
      deployNumber: 12,
      state: "running",
      paused: false,
      release: 8,
      previousRelease: 7,
      steps: [5, 25, 50, 100],
      stepIndex: 1,
      percent: 25,
      weights: { new: 1, old: 3, newServers: ["a"], oldServers: ["b"] },
      stepSec: 60,
      stepRequests: null,
      heldSec: 19.5,
      nextStepInSec: 40.5,
      figures: { new: f, old: { ...f, requests: 1500 } },
      verdict: null,
      settings: {} as never,
      startedAt: "",
      finishedAt: null,
    },
  });
  assert.match(out, /^Deploy #12: deploying\n/);
  assert.match(out, /Step:\s+2 of 4 \(5, 25, 50, 100 %\)/);
  assert.match(out, /Traffic:\s+v8 25 %, v7 75 %/);
  assert.match(out, /Weights:\s+1 on 1 new, 3 on 1 old server\(s\)/);
  assert.match(out, /Next step:\s+in 41 s \(held 19 of 60 s\)/);
  assert.match(out, /v8 \(new\)\s+50\.0\s+500\s/);
  assert.match(out, /v7 \(old\)\s+50\.0\s+1500\s/);
  assert.match(renderDeployStatus({ app: "web", deploy: null, canary: null }), /No canary/);
});
