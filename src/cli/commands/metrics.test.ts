import { test } from "node:test";
import assert from "node:assert/strict";
import { renderMetrics } from "./metrics.js";
import { summarize } from "../../metrics/series.js";

test("metrics: one row per release and window, percentages and milliseconds", () => {
  const f = {
    ...summarize([]),
    requests: 1200,
    errors5xx: 12,
    errorRate: 0.01,
    rps: 20,
    p50Ms: 2.5,
    p95Ms: 14,
    p99Ms: 40.4,
    rtimeAvgMs: 3,
  };
  const out = renderMetrics({
    app: "a",
    intervalSec: 5,
    windowSec: 3600,
    releases: [{ release: 3, live: true, last1m: f, last5m: f, window: f, points: [] }],
  });
  assert.match(out, /^RELEASE\s+WINDOW\s+REQ\/S/);
  assert.match(out, /v3 \(live\)\s+1m\s+20\.0\s+1200\s+12\s+0\s+1\.00 %\s+2\.5 ms\s+14 ms\s+40 ms\s+3\.0 ms/);
  assert.match(out, /\n\s+60m\s/);
  assert.match(
    renderMetrics({ app: "a", intervalSec: 5, windowSec: 600, releases: [] }),
    /No requests measured for a in the last 600 s/,
  );
});
