import { emptyHistogram, histogramCount, mergeInto, quantile, type Histogram } from "./histogram.js";

/**
 * Request metrics per app and release, from HAProxy's per-server counters
 * sampled every few seconds. Pure: samples and times go in, points and
 * summaries come out; the sampler (sampler.ts) does the I/O.
 */

/** What one sample of one server says (cumulative counters, as `show stat` reports them). */
export interface ServerSample {
  backend: string;
  server: string;
  responses: number;
  hrsp5xx: number;
  econ: number;
  eresp: number;
  /** HAProxy's average response time over the server's last 1024 requests (ms) */
  rtime: number;
}

/** Which app and release a router server belongs to; null for servers that are not an app's. */
export type Owner = (backend: string, server: string) => { app: string; release: number } | null;

/** One interval (t - dtMs, t] of one release of one app. */
export interface Point {
  /** end of the interval, ms since the epoch */
  t: number;
  dtMs: number;
  /** HTTP responses the release's servers sent */
  requests: number;
  errors5xx: number;
  /** connection and response errors (econ + eresp): requests that got no answer from the server */
  connErrors: number;
  /** HAProxy's rtime averaged over the release's servers, weighted by their requests; null without requests */
  rtimeAvgMs: number | null;
  /** response times from the access log (empty when it is off) */
  latency: Histogram;
}

/** A window's figures for one release. */
export interface Figures {
  requests: number;
  errors5xx: number;
  connErrors: number;
  /** (5xx + connection errors) / (requests + connection errors); 0 without requests */
  errorRate: number;
  /** requests per second over the window */
  rps: number;
  rtimeAvgMs: number | null;
  /** requests the percentiles are computed from */
  latencySamples: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

const key = (app: string, release: number) => `${app}\u0000${release}`;

export class MetricsSeries {
  private readonly last = new Map<string, ServerSample>();
  private readonly points = new Map<string, Point[]>();
  private lastT: number | null = null;

  constructor(
    private readonly opts: { retentionMs: number; maxPoints: number } = { retentionMs: 65 * 60_000, maxPoints: 4000 },
  ) {}

  /**
   * Adds one sample taken at `t`. Counters are turned into per-interval
   * deltas; a counter that went down (HAProxy restarted, a server was
   * re-added) counts from zero; a server first seen after the first sample
   * counts from zero too (it was added since), while the very first sample
   * is only a baseline. `latency` holds histograms per app and release
   * (from the access log) for the same interval.
   */
  ingest(t: number, samples: ServerSample[], owner: Owner, latency: Map<string, Histogram> = new Map()): void {
    const first = this.lastT === null;
    const dtMs = first ? 0 : t - this.lastT!;
    this.lastT = t;
    const acc = new Map<string, { app: string; release: number; p: Point; rtWeighted: number }>();
    const seen = new Set<string>();
    for (const s of samples) {
      const sk = `${s.backend}/${s.server}`;
      seen.add(sk);
      const prev = this.last.get(sk);
      this.last.set(sk, s);
      const o = owner(s.backend, s.server);
      if (!o || first) continue;
      const reset =
        prev !== undefined &&
        (s.responses < prev.responses || s.hrsp5xx < prev.hrsp5xx || s.econ < prev.econ || s.eresp < prev.eresp);
      const base = prev === undefined || reset ? { responses: 0, hrsp5xx: 0, econ: 0, eresp: 0 } : prev;
      const k = key(o.app, o.release);
      const a = acc.get(k) ?? {
        app: o.app,
        release: o.release,
        rtWeighted: 0,
        p: { t, dtMs, requests: 0, errors5xx: 0, connErrors: 0, rtimeAvgMs: null, latency: emptyHistogram() },
      };
      acc.set(k, a);
      const d = s.responses - base.responses;
      a.p.requests += d;
      a.p.errors5xx += s.hrsp5xx - base.hrsp5xx;
      a.p.connErrors += s.econ - base.econ + (s.eresp - base.eresp);
      a.rtWeighted += d * s.rtime;
    }
    for (const k of [...this.last.keys()]) if (!seen.has(k)) this.last.delete(k);
    for (const [k, a] of acc) {
      a.p.rtimeAvgMs = a.p.requests > 0 ? a.rtWeighted / a.p.requests : null;
      const h = latency.get(k);
      if (h) mergeInto(a.p.latency, h);
      const list = this.points.get(k) ?? [];
      list.push(a.p);
      this.points.set(k, list);
    }
    this.prune(t);
  }

  /** Releases of an app with points, newest release first. */
  releases(app: string): number[] {
    const out: number[] = [];
    for (const k of this.points.keys()) {
      const [a, r] = k.split("\u0000");
      if (a === app) out.push(Number(r));
    }
    return out.sort((x, y) => y - x);
  }

  /** Points of one release ending in (from, to]. */
  range(app: string, release: number, from: number, to = Infinity): Point[] {
    return (this.points.get(key(app, release)) ?? []).filter((p) => p.t > from && p.t <= to);
  }

  /** The figures of one release over (from, to]. */
  figures(app: string, release: number, from: number, to = Infinity): Figures {
    return summarize(this.range(app, release, from, to));
  }

  forgetApp(app: string): void {
    for (const k of [...this.points.keys()]) if (k.startsWith(`${app}\u0000`)) this.points.delete(k);
  }

  private prune(now: number): void {
    for (const [k, list] of this.points) {
      let drop = 0;
      while (
        drop < list.length &&
        (now - list[drop].t > this.opts.retentionMs || list.length - drop > this.opts.maxPoints)
      )
        drop++;
      if (drop) list.splice(0, drop);
      if (list.length === 0) this.points.delete(k);
    }
  }
}

/** Adds up points: counts summed, rtime weighted by requests, percentiles from the merged histograms. */
export function summarize(points: Point[]): Figures {
  let requests = 0,
    errors5xx = 0,
    connErrors = 0,
    rtW = 0,
    rtN = 0,
    ms = 0;
  const h = emptyHistogram();
  for (const p of points) {
    requests += p.requests;
    errors5xx += p.errors5xx;
    connErrors += p.connErrors;
    ms += p.dtMs;
    if (p.rtimeAvgMs !== null) {
      rtW += p.rtimeAvgMs * p.requests;
      rtN += p.requests;
    }
    mergeInto(h, p.latency);
  }
  const attempts = requests + connErrors;
  return {
    requests,
    errors5xx,
    connErrors,
    errorRate: attempts > 0 ? (errors5xx + connErrors) / attempts : 0,
    rps: ms > 0 ? (requests * 1000) / ms : 0,
    rtimeAvgMs: rtN > 0 ? rtW / rtN : null,
    latencySamples: histogramCount(h),
    p50Ms: quantile(h, 0.5),
    p95Ms: quantile(h, 0.95),
    p99Ms: quantile(h, 0.99),
  };
}

/** Histograms of response times per app and release from access-log entries. */
export function latencyByRelease(
  entries: { backend: string; server: string; tResponse: number }[],
  owner: Owner,
  add: (h: Histogram, ms: number) => void,
): Map<string, Histogram> {
  const out = new Map<string, Histogram>();
  for (const e of entries) {
    if (e.tResponse < 0) continue;
    const o = owner(e.backend, e.server);
    if (!o) continue;
    const k = key(o.app, o.release);
    const h = out.get(k) ?? emptyHistogram();
    out.set(k, h);
    add(h, e.tResponse);
  }
  return out;
}
