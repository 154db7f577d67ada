import { summarize, type Figures, type MetricsSeries } from "./series.js";

/** GET /apps/:app/metrics: figures per release over the last minute, 5 minutes and the asked window, with the points. */
export interface MetricsView {
  app: string;
  /** seconds between samples */
  intervalSec: number;
  /** the window asked for, in seconds */
  windowSec: number;
  releases: ReleaseMetricsView[];
}

export interface ReleaseMetricsView {
  release: number;
  live: boolean;
  last1m: Figures;
  last5m: Figures;
  window: Figures;
  points: {
    t: string;
    requests: number;
    errors5xx: number;
    connErrors: number;
    rps: number;
    rtimeAvgMs: number | null;
    p95Ms: number | null;
  }[];
}

/** Pure: the view from the series at `now`. */
export function metricsView(
  series: MetricsSeries,
  app: string,
  liveVersion: number | null,
  now: number,
  windowSec: number,
  intervalSec: number,
): MetricsView {
  const from = now - windowSec * 1000;
  return {
    app,
    intervalSec,
    windowSec,
    releases: series
      .releases(app)
      .filter((r) => series.range(app, r, from).length > 0)
      .map((release) => ({
        release,
        live: release === liveVersion,
        last1m: series.figures(app, release, now - 60_000),
        last5m: series.figures(app, release, now - 300_000),
        window: series.figures(app, release, from),
        points: series.range(app, release, from).map((p) => {
          const f = summarize([p]);
          return {
            t: new Date(p.t).toISOString(),
            requests: p.requests,
            errors5xx: p.errors5xx,
            connErrors: p.connErrors,
            rps: f.rps,
            rtimeAvgMs: p.rtimeAvgMs,
            p95Ms: f.p95Ms,
          };
        }),
      })),
  };
}
