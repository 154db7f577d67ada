import type { EngineContext } from "../engine/context.js";
import type { Release, RoutedServer } from "../domain/types.js";
import type { RouterMetrics } from "../metrics/sampler.js";
import type { Figures } from "../metrics/series.js";
import { DeployFailure } from "../engine/execute/plan-executor.js";
import { retire, routedServerFor, type Started } from "../engine/execute/containers.js";
import { syncRouter } from "../engine/router-sync.js";
import { analyse, stepDecision } from "./analysis.js";
import { canaryWeights } from "./weights.js";
import type { CanaryStore } from "./canary-store.js";

export interface CanaryRunnerDeps {
  ctx: EngineContext;
  metrics: RouterMetrics;
  canaries: CanaryStore;
  deployId: number;
  release: Release;
  previous: Release;
  out: (l: string) => void;
  now?: () => number;
  /** how often a held step samples the router and reads the store's commands (default 500 ms) */
  tickMs?: number;
}

const pct = (r: number) => `${(r * 100).toFixed(2)}%`;
const ms = (v: number | null) => (v === null ? "-" : `${v.toFixed(1)} ms`);
export const describeFigures = (f: Figures) =>
  `${f.requests} requests, ${f.errors5xx} 5xx, ${f.connErrors} conn errors (${pct(f.errorRate)}), p95 ${ms(f.p95Ms)}`;

/**
 * Runs a canary's weighted steps: moves the weights (in the store, then the
 * router), holds the step while sampling the router and analysing both
 * releases' figures, and obeys pause, resume, promote and abort recorded in
 * the store by the API. An abort (by the numbers, by request, or any error)
 * puts the new release's weight to 0 at once, drains and removes its
 * containers, and fails the deploy with the numbers; the old release keeps
 * serving throughout.
 */
export class CanaryRunner {
  private promoted = false;

  constructor(private readonly d: CanaryRunnerDeps) {}

  private now(): number {
    return this.d.now?.() ?? Date.now();
  }

  private newServers(): RoutedServer[] {
    return this.d.ctx.store
      .routedServers(this.d.release.app)
      .filter((s) => s.process === "web" && s.releaseId === this.d.release.id);
  }

  private oldServers(): RoutedServer[] {
    return this.d.ctx.store
      .routedServers(this.d.release.app)
      .filter((s) => s.process === "web" && s.releaseId !== this.d.release.id);
  }

  async step(index: number, percent: number, started: Started[]): Promise<void> {
    const { canaries, deployId, out } = this.d;
    const c = canaries.get(deployId)!;
    const total = c.settings.steps.length;
    if (c.command === "promote" && percent < 100) {
      canaries.update(deployId, { command: null });
      this.promoted = true;
    }
    if (this.promoted && percent < 100) {
      out(`-----> Canary step ${index + 1}/${total} (${percent}%) skipped: promoted`);
      return;
    }
    try {
      // promoted: the last step moves every request to the new release and does not hold
      await this.hold(index, percent, started, !this.promoted);
    } catch (e) {
      const reason = e instanceof CanaryAbort ? e.message : `${(e as Error).message}`;
      await this.abort(index, percent, reason);
      throw new DeployFailure(`canary aborted at step ${index + 1}/${total} (${percent}%): ${reason}`, null);
    }
  }

  private async hold(index: number, percent: number, started: Started[], wait: boolean): Promise<void> {
    const { ctx, canaries, deployId, release, previous, metrics, out } = this.d;
    const c = canaries.get(deployId)!;
    const s = c.settings;
    const old = this.oldServers();
    const w = canaryWeights(percent, started.length, old.length);
    ctx.store.tx(() => {
      for (const x of started) ctx.store.upsertRoutedServer({ ...routedServerFor(release, x), weight: w.newWeight });
      for (const o of old) ctx.store.upsertRoutedServer({ ...o, weight: w.oldWeight, state: "ready" });
    });
    await syncRouter(ctx);
    await metrics.sample(); // the step's window starts here
    const t0 = this.now();
    canaries.update(deployId, {
      state: "running",
      stepIndex: index,
      percent,
      newWeight: w.newWeight,
      oldWeight: w.oldWeight,
      stepStartedAt: t0,
      pausedMs: 0,
      pausedAt: c.pausedAt !== null ? t0 : null,
    });
    out(
      `-----> Canary step ${index + 1}/${s.steps.length}: v${release.version} gets ${percent}% of requests (weight ${w.newWeight} on ${started.length} new, ${w.oldWeight} on ${old.length} v${previous.version} server(s))${wait ? `; holding ${s.stepSec} s${s.stepRequests ? ` or ${s.stepRequests} requests` : ""}` : ""}`,
    );
    if (!wait) return;
    const tick = this.d.tickMs ?? 500;
    for (;;) {
      await new Promise((r) => setTimeout(r, tick));
      await metrics.sample();
      const row = canaries.get(deployId)!;
      if (row.command === "abort") {
        canaries.update(deployId, { command: null });
        throw new CanaryAbort("aborted by request (deploy:abort)");
      }
      const nu = metrics.figures(release.app, release.version, t0);
      const oldF = metrics.figures(release.app, previous.version, row.startedAt);
      const v = analyse(nu, oldF, s);
      canaries.update(deployId, { verdict: v.reason });
      if (row.command === "promote" && v.decision !== "abort") {
        canaries.update(deployId, { command: null });
        this.promoted = true;
        out(`-----> Promoted at step ${index + 1}: ${percent < 100 ? "going to 100%" : "ending the hold"}`);
        return;
      }
      const now = this.now();
      const d = stepDecision(
        {
          startedAt: t0,
          pausedMs: row.pausedMs,
          pausedAt: row.pausedAt,
          holdSec: s.stepSec,
          holdRequests: s.stepRequests,
        },
        v,
        nu.requests,
        now,
      );
      if (d.action === "abort")
        throw new CanaryAbort(`${v.reason} (after ${((now - t0) / 1000).toFixed(1)} s at ${percent}%)`);
      if (d.action === "advance") {
        out(
          `-----> Step ${index + 1} passed: v${release.version} ${describeFigures(nu)}; v${previous.version} ${describeFigures(metrics.figures(release.app, previous.version, t0))}${d.unjudged ? ` (not judged: ${v.reason})` : ""}`,
        );
        return;
      }
    }
  }

  /** Weight 0 for the new release at once (the old one back to full), then drain and remove the new containers. */
  private async abort(index: number, percent: number, reason: string): Promise<void> {
    const { ctx, canaries, deployId, release, previous, out } = this.d;
    canaries.update(deployId, { verdict: reason });
    const nu = this.newServers();
    ctx.store.tx(() => {
      for (const x of nu) ctx.store.upsertRoutedServer({ ...x, weight: 0, state: "drain" });
      for (const o of this.oldServers()) ctx.store.upsertRoutedServer({ ...o, weight: 100, state: "ready" });
    });
    try {
      await syncRouter(ctx);
    } finally {
      canaries.update(deployId, { newWeight: 0, oldWeight: 100, percent: 0 });
    }
    out(`!      Canary aborted at step ${index + 1} (${percent}%): ${reason}`);
    out(
      `!      v${release.version} now has weight 0: v${previous.version} takes every request. Draining and removing ${nu.length} new container(s)`,
    );
    await retire(ctx, release.app, nu, []);
    canaries.update(deployId, { state: "aborted", finishedAt: this.now() });
  }
}

class CanaryAbort extends Error {}
