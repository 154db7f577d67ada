import { performance } from "node:perf_hooks";
import type Docker from "dockerode";
import { median } from "./util.js";

/** One container as GET /api/v1/apps/:app/ps lists it (the fields the poller reads). */
export interface PsContainer {
  id: string;
  process: string;
  release: string | number | null;
  state: string;
  routed: boolean;
}

/** What one poll saw. */
export interface WebSample {
  /** ms since the poller started */
  t: number;
  /** the phase the bench had marked when the poll began (e.g. "deploy 3", "after deploy 3") */
  label: string;
  /** web containers in state running (ps) */
  running: number;
  /** web containers in state running AND routed (ps: in the router as ready) */
  routed: number;
  /** web containers Docker lists as running (labels yadokari.app, yadokari.process=web); null when that call failed */
  docker: number | null;
  /** running web containers per release, e.g. { v6: 4, v7: 1 } */
  releases: Record<string, number>;
}

export interface PhaseBounds {
  minRouted: number;
  maxRunning: number;
  samples: number;
}

export interface WebPollSummary {
  polls: number;
  /** polls whose ps call failed or timed out (not counted in the bounds) */
  errors: number;
  firstErrors: string[];
  minRouted: number;
  minRoutedSample: WebSample | null;
  /** the larger of the ps count and Docker's own count */
  maxRunning: number;
  maxRunningSample: WebSample | null;
  maxRunningPs: number;
  maxRunningDocker: number;
  /** samples below minRouted target / above maxRunning target, and the first few of them */
  belowMin: number;
  aboveMax: number;
  violations: WebSample[];
  /** per label, in the order first seen */
  byLabel: Map<string, PhaseBounds>;
  /** the longest time between two successful polls: the poller's blind spot */
  maxGapMs: number;
  medianPollMs: number;
  /** the poller hit its own time bound before stop() */
  endedEarly: boolean;
}

export interface WebPollerOptions {
  /** GET …/ps; should reject on a non-200 or after its own timeout */
  ps: () => Promise<PsContainer[]>;
  docker: Docker | null;
  app: string;
  intervalMs: number;
  /** each Docker call is cut off after this */
  requestTimeoutMs: number;
  /** the poller stops by itself after this, whatever happens */
  maxMs: number;
  /** the phase name of the first polls (see mark()) */
  initialLabel?: string;
  /** the bounds checked: routed ≥ minRouted, running ≤ maxRunning */
  targets: { minRouted: number; maxRunning: number };
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
};

/**
 * Polls an app's web containers every `intervalMs` (one poll at a time, so a
 * slow answer stretches the interval rather than piling up requests) until
 * stop() or `maxMs`, and keeps the minimum routed and maximum running counts.
 */
export function startWebPoller(o: WebPollerOptions) {
  const t0 = performance.now();
  let label = o.initialLabel ?? "start";
  let stopped = false;
  let wake: (() => void) | null = null;
  const s: WebPollSummary = {
    polls: 0,
    errors: 0,
    firstErrors: [],
    minRouted: Infinity,
    minRoutedSample: null,
    maxRunning: 0,
    maxRunningSample: null,
    maxRunningPs: 0,
    maxRunningDocker: 0,
    belowMin: 0,
    aboveMax: 0,
    violations: [],
    byLabel: new Map(),
    maxGapMs: 0,
    medianPollMs: NaN,
    endedEarly: false,
  };
  const pollMs: number[] = [];
  const dockerRunning = async (): Promise<number> => {
    if (!o.docker) throw new Error("no docker");
    const list = await withTimeout(
      o.docker.listContainers({
        filters: { label: [`yadokari.app=${o.app}`, "yadokari.process=web"], status: ["running"] },
      }),
      o.requestTimeoutMs,
      "docker ps",
    );
    return list.length;
  };

  const loop = (async () => {
    let lastOk = performance.now();
    while (!stopped) {
      if (performance.now() - t0 > o.maxMs) {
        s.endedEarly = true;
        break;
      }
      const start = performance.now();
      const at = label;
      const [ps, dk] = await Promise.allSettled([
        o.ps(),
        o.docker ? dockerRunning() : Promise.reject(new Error("off")),
      ]);
      const end = performance.now();
      pollMs.push(end - start);
      s.polls++;
      if (ps.status === "rejected") {
        s.errors++;
        if (s.firstErrors.length < 5) s.firstErrors.push(`${at}: ${(ps.reason as Error)?.message ?? ps.reason}`);
      } else {
        // The sample is as old as the poll's start; the gap is measured between starts of good polls.
        s.maxGapMs = Math.max(s.maxGapMs, start - lastOk);
        lastOk = start;
        const web = ps.value.filter((c) => c.process === "web" && c.state === "running");
        const releases: Record<string, number> = {};
        for (const c of web) {
          const k = typeof c.release === "number" ? `v${c.release}` : String(c.release ?? "?");
          releases[k] = (releases[k] ?? 0) + 1;
        }
        const sample: WebSample = {
          t: Math.round(start - t0),
          label: at,
          running: web.length,
          routed: web.filter((c) => c.routed).length,
          docker: dk.status === "fulfilled" ? dk.value : null,
          releases,
        };
        const running = Math.max(sample.running, sample.docker ?? 0);
        if (sample.routed < s.minRouted) {
          s.minRouted = sample.routed;
          s.minRoutedSample = sample;
        }
        if (running > s.maxRunning) {
          s.maxRunning = running;
          s.maxRunningSample = sample;
        }
        s.maxRunningPs = Math.max(s.maxRunningPs, sample.running);
        if (sample.docker !== null) s.maxRunningDocker = Math.max(s.maxRunningDocker, sample.docker);
        const below = sample.routed < o.targets.minRouted;
        const above = running > o.targets.maxRunning;
        if (below) s.belowMin++;
        if (above) s.aboveMax++;
        if ((below || above) && s.violations.length < 8) s.violations.push(sample);
        const b = s.byLabel.get(at) ?? { minRouted: Infinity, maxRunning: 0, samples: 0 };
        b.minRouted = Math.min(b.minRouted, sample.routed);
        b.maxRunning = Math.max(b.maxRunning, running);
        b.samples++;
        s.byLabel.set(at, b);
      }
      const wait = Math.max(5, o.intervalMs - (performance.now() - start));
      await new Promise<void>((r) => {
        const t = setTimeout(r, wait);
        wake = () => {
          clearTimeout(t);
          r();
        };
      });
      wake = null;
    }
  })();

  return {
    /** Names the phase the following polls belong to. */
    mark(next: string) {
      label = next;
    },
    /** Stops after the poll in flight (bounded by the calls' own timeouts) and returns the figures. */
    async stop(): Promise<WebPollSummary> {
      stopped = true;
      (wake as (() => void) | null)?.();
      await loop;
      s.medianPollMs = median(pollMs);
      return s;
    },
  };
}

export const formatSample = (x: WebSample | null) =>
  x
    ? `${x.label}, t=${(x.t / 1000).toFixed(1)} s: ${x.routed} routed, ${x.running} running (Docker ${x.docker ?? "-"}) [${Object.entries(
        x.releases,
      )
        .map(([k, v]) => `${k}×${v}`)
        .join(" ")}]`
    : "-";
