import type { Figures } from "../metrics/series.js";

/**
 * Canary analysis. Pure: the figures of the new and the old release and the
 * thresholds go in, a verdict comes out; the step clock (stepDecision) takes
 * the time as an argument.
 */
export interface AnalysisSettings {
  /** abort when the new release's error rate is above this, in percent (default 1) */
  maxErrorPct: number;
  /** …or above the old release's by more than this many percentage points (default 1) */
  errorMarginPct: number;
  /** abort when the new release's p95 is above the old one's times this (default 1.5) */
  latencyFactor: number;
  /** …and above this many ms (below it, differences are noise: default 25) */
  latencyFloorMs: number;
  /** no verdict before the new release has served this many requests (default 100) */
  minRequests: number;
}

export const DEFAULT_ANALYSIS: AnalysisSettings = {
  maxErrorPct: 1,
  errorMarginPct: 1,
  latencyFactor: 1.5,
  latencyFloorMs: 25,
  minRequests: 100,
};

export type Verdict =
  | { decision: "abort"; reason: string }
  | { decision: "healthy"; reason: null }
  /** not enough requests to judge yet */
  | { decision: "insufficient"; reason: string };

const pct = (r: number) => `${(r * 100).toFixed(2)}%`;
const ms = (v: number) => `${v.toFixed(1)} ms`;

/**
 * Errors count 5xx responses and connection/response errors. The error rules
 * need `minRequests` requests of the new release; the latency rule needs as
 * many response times from both releases (the old one's are its figures over
 * the whole canary, so a step where it gets no traffic still has a baseline).
 */
export function analyse(nu: Figures, old: Figures, s: AnalysisSettings): Verdict {
  const attempts = nu.requests + nu.connErrors;
  if (attempts < s.minRequests)
    return { decision: "insufficient", reason: `${attempts} of ${s.minRequests} requests needed to judge` };
  const errors = nu.errors5xx + nu.connErrors;
  const figures = `${errors} errors in ${attempts} requests (${nu.errors5xx} 5xx, ${nu.connErrors} connection errors)`;
  if (nu.errorRate * 100 > s.maxErrorPct) {
    return {
      decision: "abort",
      reason: `error rate ${pct(nu.errorRate)} of the new release is above the ${s.maxErrorPct}% threshold: ${figures}`,
    };
  }
  const oldAttempts = old.requests + old.connErrors;
  if (oldAttempts >= s.minRequests && (nu.errorRate - old.errorRate) * 100 > s.errorMarginPct) {
    return {
      decision: "abort",
      reason: `error rate ${pct(nu.errorRate)} of the new release is more than ${s.errorMarginPct} points above the old release's ${pct(old.errorRate)}: ${figures}`,
    };
  }
  if (
    nu.p95Ms !== null &&
    old.p95Ms !== null &&
    nu.latencySamples >= s.minRequests &&
    old.latencySamples >= s.minRequests
  ) {
    if (nu.p95Ms > s.latencyFloorMs && nu.p95Ms > old.p95Ms * s.latencyFactor) {
      return {
        decision: "abort",
        reason: `p95 response time ${ms(nu.p95Ms)} of the new release is above ${s.latencyFactor}× the old release's ${ms(old.p95Ms)} (${nu.latencySamples} and ${old.latencySamples} requests)`,
      };
    }
  }
  return { decision: "healthy", reason: null };
}

/** Where a step stands on its clock. */
export interface StepClock {
  /** ms since the epoch when the step's weights were applied */
  startedAt: number;
  /** ms spent paused before the current pause */
  pausedMs: number;
  /** when the current pause began, or null */
  pausedAt: number | null;
  holdSec: number;
  /** the step may end after this many requests of the new release instead (null: by time only) */
  holdRequests: number | null;
}

/** Time held so far, pauses excluded. */
export const heldMs = (c: StepClock, now: number) =>
  now - c.startedAt - c.pausedMs - (c.pausedAt !== null ? now - c.pausedAt : 0);

/**
 * What to do now: abort on a bad verdict (paused or not: a pause stops the
 * steps, not the watch); advance when the step has been held long enough (or
 * served its requests) and was judged healthy; a step that had too little
 * traffic to judge waits for it, for at most 3× its duration, then advances
 * unjudged (`unjudged` says so).
 */
export function stepDecision(
  c: StepClock,
  v: Verdict,
  newRequests: number,
  now: number,
): { action: "abort" | "hold" | "advance"; unjudged: boolean } {
  if (v.decision === "abort") return { action: "abort", unjudged: false };
  if (c.pausedAt !== null) return { action: "hold", unjudged: false };
  const held = heldMs(c, now);
  const served = c.holdRequests !== null && newRequests >= c.holdRequests;
  const done = held >= c.holdSec * 1000 || served;
  if (!done) return { action: "hold", unjudged: false };
  if (v.decision === "healthy") return { action: "advance", unjudged: false };
  return held >= 3 * c.holdSec * 1000 ? { action: "advance", unjudged: true } : { action: "hold", unjudged: false };
}
