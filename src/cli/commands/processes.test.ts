import { test } from "node:test";
import assert from "node:assert/strict";
import { parseScaleArgs, renderProcesses } from "./processes.js";
import { parseDeploySettingArgs, strategyFlagsToSettings } from "./deploy-settings.js";
import { CliError } from "../api-client.js";

test("ps:scale arguments are TYPE=COUNT", () => {
  assert.deepEqual(parseScaleArgs(["web=3", "worker=0"]), { web: 3, worker: 0 });
  for (const bad of [[], ["web"], ["web=-1"], ["web=x"], ["we;b=1"], ["web=1000"]])
    assert.throws(() => parseScaleArgs(bad), CliError);
});

test("deploy:set takes maxSurge (count or %) and pauseSec", () => {
  assert.deepEqual(parseDeploySettingArgs(["maxSurge=25%", "pauseSec=1.5"]), { maxSurge: "25%", pauseSec: 1.5 });
  assert.deepEqual(parseDeploySettingArgs(["maxSurge=2"]), { maxSurge: 2 });
  for (const bad of [["surge=2"], ["maxSurge=two"], ["pauseSec=-1"]])
    assert.throws(() => parseDeploySettingArgs(bad), CliError);
  assert.deepEqual(parseDeploySettingArgs([]), {}); // the canary flags may be all there is
});

test("deploy:set: every setting works as a flag and as key=value (flag name or API name), with the same result", () => {
  const viaArgs = parseDeploySettingArgs([
    "max-surge=2",
    "pause=5s",
    "strategy=canary",
    "steps=5,50",
    "stepSec=30",
    "max-error-rate=2",
    "latencyFloorMs=40",
    "sticky=on",
  ]);
  const viaFlags = strategyFlagsToSettings({
    maxSurge: "2",
    pause: "5s",
    strategy: "canary",
    steps: "5,50",
    stepDuration: "30",
    maxErrorRate: "2",
    latencyFloor: "40",
    sticky: "on",
  });
  assert.deepEqual(viaArgs, viaFlags);
  assert.deepEqual(viaArgs, {
    maxSurge: 2,
    pauseSec: 5,
    strategy: "canary",
    steps: [5, 50],
    stepSec: 30,
    maxErrorPct: 2,
    latencyFloorMs: 40,
    sticky: true,
  });
  assert.throws(() => parseDeploySettingArgs(["toString=1"]), CliError);
});

test("ps shows a crash loop with its exit code and backoff", () => {
  const out = renderProcesses(
    {
      stopped: false,
      processes: [
        {
          type: "web",
          quantity: 2,
          command: null,
          running: 2,
          restarts: 0,
          crashLoop: false,
          lastExitCode: null,
          backoffUntil: null,
        },
        {
          type: "worker",
          quantity: 1,
          command: "node w.js",
          running: 0,
          restarts: 5,
          crashLoop: true,
          lastExitCode: 3,
          backoffUntil: "2026-01-01T00:00:16Z",
        },
      ],
    },
    new Date("2026-01-01T00:00:00Z"),
  );
  assert.match(out, /web\s+2\s+2\s+0\s+ok/);
  assert.match(out, /worker\s+1\s+0\s+5\s+crash loop \(exit 3, next try in 16 s\)\s+node w.js/);
});
