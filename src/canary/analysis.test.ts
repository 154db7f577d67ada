import { test } from "node:test";
import assert from "node:assert/strict";
import { analyse, DEFAULT_ANALYSIS, heldMs, stepDecision, type StepClock } from "./analysis.js";
import { canaryWeights } from "./weights.js";
import { summarize, type Figures } from "../metrics/series.js";

const fig = (over: Partial<Figures>): Figures => {
  const f = { ...summarize([]), ...over };
  const attempts = f.requests + f.connErrors;
  return { ...f, errorRate: attempts ? (f.errors5xx + f.connErrors) / attempts : 0 };
};
const healthyOld = fig({ requests: 5000, errors5xx: 0, latencySamples: 5000, p95Ms: 10 });

test("analysis: no verdict before the minimum sample", () => {
  const v = analyse(fig({ requests: 99, errors5xx: 50 }), healthyOld, DEFAULT_ANALYSIS);
  assert.equal(v.decision, "insufficient");
  assert.match(v.reason!, /99 of 100/);
});

test("analysis: the absolute error threshold, with the numbers in the reason", () => {
  const v = analyse(fig({ requests: 200, errors5xx: 20 }), healthyOld, DEFAULT_ANALYSIS);
  assert.equal(v.decision, "abort");
  assert.match(
    v.reason!,
    /error rate 10\.00% .* above the 1% threshold: 20 errors in 200 requests \(20 5xx, 0 connection errors\)/,
  );
  assert.equal(analyse(fig({ requests: 200, errors5xx: 2 }), healthyOld, DEFAULT_ANALYSIS).decision, "healthy"); // exactly 1% is not above
  assert.equal(analyse(fig({ requests: 197, connErrors: 3 }), healthyOld, DEFAULT_ANALYSIS).decision, "abort"); // connection errors count
});

test("analysis: the margin over the old release's error rate", () => {
  const s = { ...DEFAULT_ANALYSIS, maxErrorPct: 10, errorMarginPct: 1 };
  const oldBad = fig({ requests: 1000, errors5xx: 40 }); // 4 %
  assert.equal(analyse(fig({ requests: 1000, errors5xx: 45 }), oldBad, s).decision, "healthy");
  const v = analyse(fig({ requests: 1000, errors5xx: 60 }), oldBad, s);
  assert.equal(v.decision, "abort");
  assert.match(v.reason!, /more than 1 points above the old release's 4\.00%/);
  // an old release with too few requests is no baseline
  assert.equal(analyse(fig({ requests: 1000, errors5xx: 60 }), fig({ requests: 10 }), s).decision, "healthy");
});

test("analysis: p95 against the old release by a factor, above a floor, with enough samples", () => {
  const old = fig({ requests: 1000, latencySamples: 1000, p95Ms: 40 });
  assert.equal(
    analyse(fig({ requests: 500, latencySamples: 500, p95Ms: 59 }), old, DEFAULT_ANALYSIS).decision,
    "healthy",
  );
  const v = analyse(fig({ requests: 500, latencySamples: 500, p95Ms: 61 }), old, DEFAULT_ANALYSIS);
  assert.equal(v.decision, "abort");
  assert.match(v.reason!, /p95 response time 61\.0 ms .* above 1\.5× the old release's 40\.0 ms/);
  // 2 ms against 1 ms is noise below the floor
  assert.equal(
    analyse(
      fig({ requests: 500, latencySamples: 500, p95Ms: 2 }),
      fig({ requests: 1000, latencySamples: 1000, p95Ms: 1 }),
      DEFAULT_ANALYSIS,
    ).decision,
    "healthy",
  );
  // too few response times (access log off, or little traffic): no latency verdict
  assert.equal(
    analyse(fig({ requests: 500, latencySamples: 50, p95Ms: 900 }), old, DEFAULT_ANALYSIS).decision,
    "healthy",
  );
});

const clock = (over: Partial<StepClock> = {}): StepClock => ({
  startedAt: 1_000_000,
  pausedMs: 0,
  pausedAt: null,
  holdSec: 60,
  holdRequests: null,
  ...over,
});
const healthy = { decision: "healthy", reason: null } as const;
const thin = { decision: "insufficient", reason: "few" } as const;

test("step clock: holds for the duration, then advances when healthy", () => {
  assert.equal(stepDecision(clock(), healthy, 1000, 1_000_000 + 59_999).action, "hold");
  assert.deepEqual(stepDecision(clock(), healthy, 1000, 1_000_000 + 60_000), { action: "advance", unjudged: false });
  assert.equal(stepDecision(clock(), { decision: "abort", reason: "x" }, 1000, 1_000_000 + 1).action, "abort");
});

test("step clock: a request count can end a step early", () => {
  assert.equal(stepDecision(clock({ holdRequests: 500 }), healthy, 499, 1_000_000 + 1000).action, "hold");
  assert.equal(stepDecision(clock({ holdRequests: 500 }), healthy, 500, 1_000_000 + 1000).action, "advance");
});

test("step clock: pauses stop the clock but not an abort", () => {
  const paused = clock({ pausedAt: 1_000_000 + 10_000 });
  assert.equal(stepDecision(paused, healthy, 1000, 1_000_000 + 500_000).action, "hold");
  assert.equal(stepDecision(paused, { decision: "abort", reason: "x" }, 1000, 1_000_000 + 500_000).action, "abort");
  // resumed after 100 s paused: 60 s of holding means 160 s on the wall
  const resumed = clock({ pausedMs: 100_000 });
  assert.equal(heldMs(resumed, 1_000_000 + 150_000), 50_000);
  assert.equal(stepDecision(resumed, healthy, 1000, 1_000_000 + 150_000).action, "hold");
  assert.equal(stepDecision(resumed, healthy, 1000, 1_000_000 + 160_000).action, "advance");
});

test("step clock: too little traffic waits up to 3× the duration, then advances unjudged", () => {
  assert.equal(stepDecision(clock(), thin, 3, 1_000_000 + 60_000).action, "hold");
  assert.equal(stepDecision(clock(), thin, 3, 1_000_000 + 179_999).action, "hold");
  assert.deepEqual(stepDecision(clock(), thin, 3, 1_000_000 + 180_000), { action: "advance", unjudged: true });
});

test("weights: the release-level share equals the step within HAProxy's 1..256", () => {
  for (const [p, nNew, nOld] of [
    [5, 1, 1],
    [25, 1, 1],
    [50, 1, 1],
    [5, 1, 4],
    [25, 2, 4],
    [33, 1, 3],
    [1, 1, 1],
    [50, 1, 4],
  ]) {
    const w = canaryWeights(p, nNew, nOld);
    assert.ok(w.newWeight >= 1 && w.newWeight <= 256 && w.oldWeight >= 1 && w.oldWeight <= 256, JSON.stringify(w));
    const share = (100 * nNew * w.newWeight) / (nNew * w.newWeight + nOld * w.oldWeight);
    assert.ok(Math.abs(share - p) < 1e-9, `${p}% of ${nNew} new, ${nOld} old: ${JSON.stringify(w)}`);
    assert.ok(Math.abs(w.actualPercent - share) < 1e-9);
  }
  assert.deepEqual(canaryWeights(5, 1, 1), { newWeight: 1, oldWeight: 19, actualPercent: 5 });
  assert.deepEqual(canaryWeights(100, 1, 2), { newWeight: 100, oldWeight: 0, actualPercent: 100 });
  assert.deepEqual(canaryWeights(0, 1, 2), { newWeight: 0, oldWeight: 100, actualPercent: 0 });
  // 7 % of 3 new against 5 old needs 35:279, past 256: within 0.01 point
  assert.ok(Math.abs(canaryWeights(7, 3, 5).actualPercent - 7) < 0.01);
  // 0.1 % of 1 new against 50 old cannot be exact: as close as 1..256 allows
  const w = canaryWeights(0.1, 1, 50);
  assert.deepEqual([w.newWeight, w.oldWeight], [1, 20]);
  assert.ok(Math.abs(w.actualPercent - 0.0999) < 0.001);
});
