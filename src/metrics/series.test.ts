import { test } from "node:test";
import assert from "node:assert/strict";
import { MetricsSeries, summarize, latencyByRelease, type ServerSample } from "./series.js";
import { addValue, emptyHistogram, quantile, histogramCount } from "./histogram.js";
import { parseAccessLine } from "./access-log.js";

const s = (server: string, responses: number, hrsp5xx = 0, econ = 0, rtime = 10): ServerSample => ({
  backend: "app_a_web",
  server,
  responses,
  hrsp5xx,
  econ,
  eresp: 0,
  rtime,
});
const owner = (_b: string, server: string) =>
  server.startsWith("new") ? { app: "a", release: 2 } : server.startsWith("old") ? { app: "a", release: 1 } : null;

test("series: the first sample is a baseline; later ones are deltas per release", () => {
  const m = new MetricsSeries();
  m.ingest(1000, [s("old1", 100), s("old2", 50)], owner);
  assert.deepEqual(m.releases("a"), []);
  m.ingest(6000, [s("old1", 150, 1), s("old2", 100, 0, 2), s("new1", 10, 1)], owner);
  const old = m.figures("a", 1, 0);
  assert.equal(old.requests, 100);
  assert.equal(old.errors5xx, 1);
  assert.equal(old.connErrors, 2);
  assert.equal(old.rps, 20);
  assert.ok(Math.abs(old.errorRate - 3 / 102) < 1e-12);
  // a server first seen after the baseline counts from zero
  assert.equal(m.figures("a", 2, 0).requests, 10);
  assert.deepEqual(m.releases("a"), [2, 1]);
});

test("series: a counter that went down (HAProxy restarted) counts from zero", () => {
  const m = new MetricsSeries();
  m.ingest(0, [s("old1", 500)], owner);
  m.ingest(1000, [s("old1", 520)], owner);
  m.ingest(2000, [s("old1", 7)], owner);
  assert.deepEqual(
    m.range("a", 1, 0).map((p) => p.requests),
    [20, 7],
  );
});

test("series: windows select points by their end time; old points are pruned", () => {
  const m = new MetricsSeries({ retentionMs: 10_000, maxPoints: 100 });
  m.ingest(0, [s("old1", 0)], owner);
  for (let t = 1000; t <= 20_000; t += 1000) m.ingest(t, [s("old1", t / 10)], owner);
  assert.equal(m.range("a", 1, 0).length, 11); // 10 s back from 20 s, inclusive of the edge
  assert.equal(m.figures("a", 1, 15_000).requests, 500);
});

test("series: rtime is weighted by requests; unowned servers are ignored", () => {
  const m = new MetricsSeries();
  m.ingest(0, [s("old1", 0), s("old2", 0), s("other", 0)], owner);
  m.ingest(1000, [s("old1", 30, 0, 0, 10), s("old2", 10, 0, 0, 50), s("other", 1000)], owner);
  assert.equal(m.figures("a", 1, 0).rtimeAvgMs, 20);
  assert.equal(m.figures("a", 1, 0).requests, 40);
});

test("histogram: quantiles within their bucket, merged across points", () => {
  const h = emptyHistogram();
  for (let i = 0; i < 95; i++) addValue(h, 3);
  for (let i = 0; i < 5; i++) addValue(h, 900);
  assert.equal(histogramCount(h), 100);
  const p95 = quantile(h, 0.95)!;
  assert.ok(p95 > 2 && p95 <= 3, `p95 ${p95}`);
  const p99 = quantile(h, 0.99)!;
  assert.ok(p99 > 800 && p99 <= 1000, `p99 ${p99}`);
  assert.equal(quantile(emptyHistogram(), 0.5), null);
  addValue(h, -1); // no response: not a latency
  assert.equal(histogramCount(h), 100);
});

test("latency per release from access-log lines", () => {
  const lines = [
    '{"ts":1.0,"host":"a.test","status":200,"backend":"app_a_web","server":"new1","t_response":40}',
    '{"ts":1.0,"host":"a.test","status":200,"backend":"app_a_web","server":"old1","t_response":4}',
    '{"ts":1.0,"host":"a.test","status":503,"backend":"app_a_web","server":"<NOSRV>","t_response":-1}',
    "[NOTICE] something else",
    '{"cut',
  ];
  const entries = lines.map(parseAccessLine).filter((e) => e !== null);
  assert.equal(entries.length, 3);
  const byRel = latencyByRelease(entries, owner, addValue);
  assert.equal(histogramCount(byRel.get("a\u00002")!), 1);
  assert.equal(histogramCount(byRel.get("a\u00001")!), 1);
  const m = new MetricsSeries();
  m.ingest(0, [s("new1", 0)], owner);
  m.ingest(1000, [s("new1", 1)], owner, byRel);
  const f = m.figures("a", 2, 0);
  assert.equal(f.latencySamples, 1);
  assert.ok(f.p95Ms! > 30 && f.p95Ms! <= 40);
});

test("summarize of nothing is zeros and nulls", () => {
  assert.deepEqual(summarize([]), {
    requests: 0,
    errors5xx: 0,
    connErrors: 0,
    errorRate: 0,
    rps: 0,
    rtimeAvgMs: null,
    latencySamples: 0,
    p50Ms: null,
    p95Ms: null,
    p99Ms: null,
  });
});
