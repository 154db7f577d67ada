import type { EngineContext } from "./context.js";
import { nowMs } from "./context.js";
import { reconcile, isEmptyPlan, crashBackoffMs, type AppDesired, type ReconcilePlan } from "./plan/reconcile.js";
import type { ProcessHealth } from "../store/store.js";
import type { App, Release } from "../domain/types.js";
import { planRepairs, type AppRepairs } from "./plan/traffic-plans.js";
import { processUnitSpec } from "./plan/unit-spec.js";
import { executorFor } from "./execute/wiring.js";
import { newSuffix } from "./suffix.js";
import type { OwnedUnit } from "./units.js";
import { runLimited, startPhases } from "../ops/start-order.js";

/**
 * Brings the engine and the router back to what the store says: on start, on
 * engine events (a unit died) and periodically. One pass at a time. It sees
 * only recorded units; its repairs are plans run by the executor, in the
 * app's lock, so they never interleave with a deploy.
 */
export class Reconciler {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly ctx: EngineContext) {}

  start(intervalMs = 5000): void {
    this.timer = setInterval(() => void this.trigger(), intervalMs);
    this.timer.unref();
    this.unsubscribe = this.ctx.engine.onEvents((e) => {
      if (e.action === "die" || e.action === "destroy" || e.action === "start") void this.trigger();
    });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
  }

  /** Runs a pass now, or once more after the running one. */
  trigger(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.pass();
        } catch (e) {
          this.ctx.log(`reconcile: ${(e as Error).message}`);
        }
      } while (this.again);
    })().finally(() => (this.running = null));
    return this.running;
  }

  async pass(): Promise<ReconcilePlan> {
    const { store, locks, canaries } = this.ctx;
    const now = nowMs(this.ctx);
    const apps = store.listApps();
    const releases = new Map<string, Release>();
    for (const a of apps) if (a.liveReleaseId) releases.set(a.name, store.getRelease(a.liveReleaseId)!);
    const health = store.allProcessHealth();
    // blue-green standby sets: kept until their time, then left to the pass like any old unit
    const standby = new Map<string, number>();
    for (const sb of canaries.allStandby()) {
      if (sb.until <= now && !locks.busy(sb.app)) {
        canaries.dropStandby(sb.app);
        this.ctx.log(`${sb.app}: the blue-green standby set's time is up: retiring it`);
      } else standby.set(sb.app, store.getRelease(sb.releaseId)?.version ?? -1);
    }
    const desired = apps.map((a) => ({
      name: a.name,
      formation: desiredFormation(a, releases.get(a.name)),
      liveVersion: releases.get(a.name)?.version ?? null,
      busy: locks.busy(a.name),
      standbyVersion: standby.get(a.name) ?? null,
      backoffUntil: Object.fromEntries(
        health.filter((h) => h.app === a.name && h.backoffUntil).map((h) => [h.process, Date.parse(h.backoffUntil!)]),
      ),
    }));
    const observed = await this.ctx.units.list({ kind: "process" });
    const plan = reconcile(desired, observed, store.routedServers(), now);
    this.clearSteadyStreaks(desired, observed, health, now);
    if (isEmptyPlan(plan)) return plan;
    this.ctx.log(
      `reconcile: remove ${plan.remove.length} (crashed ${plan.crashed.length}), unroute ${plan.unroute.length}, readdress ${plan.readdress.length}, adopt ${plan.adopt.length}, start ${plan.start.map((s) => `${s.app}/${s.process}×${s.count}`).join(",") || 0}`,
    );
    // Re-check busy right before acting: a deploy may have started while the engine answered.
    const idle = (app: string) => !locks.busy(app);
    for (const c of plan.crashed) {
      if (!idle(c.app)) continue;
      const streak = (health.find((h) => h.app === c.app && h.process === c.process)?.crashesInRow ?? 0) + 1;
      store.recordCrash(c.app, c.process, c.exitCode, new Date(now + crashBackoffMs(streak)).toISOString());
      this.ctx.log(
        `${c.app}: ${c.process} container ${c.name} crashed (${c.status}); crash ${streak} in a row, next start in ${crashBackoffMs(streak) / 1000} s`,
      );
    }
    // Units of apps destroyed while we were down have no routes left: removed at once.
    const known = new Set(apps.map((a) => a.name));
    await Promise.all(
      plan.remove
        .filter((u) => !known.has(u.app))
        .map((u) =>
          this.ctx.units
            .retire(u.id, this.ctx.stopTimeoutSec)
            .catch((e) => this.ctx.log(`reconcile: ${(e as Error).message}`)),
        ),
    );
    const perApp = [...known]
      .filter((app) => idle(app))
      .map((app) => ({ app, repairs: this.repairsOf(app, plan, releases.get(app)) }))
      .flatMap((x) => (x.repairs ? [{ app: x.app, repairs: x.repairs }] : []));
    // Every app's web first, then the other process types, a few apps at a time (src/ops/start-order.ts):
    // after a reboot the most apps serve soonest.
    for (const phase of startPhases(perApp))
      await runLimited(
        phase.map(
          ({ app, repairs }) =>
            () =>
              this.repair(app, releases.get(app) ?? null, repairs),
        ),
        this.ctx.startConcurrency,
      );
    return plan;
  }

  /** One app's share of the plan, with the specs of the units to start. */
  private repairsOf(app: string, plan: ReconcilePlan, release: Release | undefined): AppRepairs | null {
    const mounts = this.ctx.store.mounts(app);
    const r: AppRepairs = {
      unroute: plan.unroute.filter((s) => s.app === app),
      readdress: plan.readdress.filter((x) => x.server.app === app),
      remove: plan.remove.filter((u) => u.app === app).map((u) => u.id),
      adopt: release ? plan.adopt.filter((u) => u.app === app).map((u) => u.id) : [],
      start: release
        ? plan.start
            .filter((s) => s.app === app)
            .map((s) => ({
              process: s.process,
              specs: Array.from({ length: s.count }, () =>
                processUnitSpec(release, s.process, newSuffix(), this.ctx.stopTimeoutSec, mounts, this.ctx.pidsLimit),
              ),
            }))
        : [],
      healthcheck: release?.healthcheck ?? null,
    };
    const empty = !r.unroute.length && !r.readdress.length && !r.remove.length && !r.adopt.length && !r.start.length;
    return empty ? null : r;
  }

  /**
   * Runs an app's repairs in its lock (after any deploy queued before them);
   * skipped when the live release changed meanwhile: the next pass looks again.
   */
  private repair(app: string, release: Release | null, repairs: AppRepairs): Promise<void> {
    return this.ctx.locks
      .run(app, async () => {
        if ((this.ctx.store.getApp(app)?.liveReleaseId ?? null) !== (release?.id ?? null)) return;
        await executorFor(this.ctx, app, { onGateFailure: (u, reason) => this.gateFailed(u, reason) }).run(
          planRepairs(repairs),
        );
      })
      .catch((e) => this.ctx.log(`reconcile ${app}: ${(e as Error).message}`));
  }

  /** A replacement that fails its gate is a crash too: the backoff keeps it from spinning. */
  private gateFailed(u: OwnedUnit, reason: string): void {
    const streak = (this.ctx.store.processHealth(u.app).find((h) => h.process === u.process)?.crashesInRow ?? 0) + 1;
    this.ctx.store.recordCrash(
      u.app,
      u.process,
      null,
      new Date(nowMs(this.ctx) + crashBackoffMs(streak)).toISOString(),
    );
    this.ctx.log(`${u.app}: ${reason}`);
  }

  /**
   * A process type whose units all run again is no longer waiting out a
   * backoff (it is shown as running at once); once they have all run for a
   * minute, its crash streak ends too (the next crash backs off from 1 s).
   */
  private clearSteadyStreaks(desired: AppDesired[], observed: OwnedUnit[], health: ProcessHealth[], now: number): void {
    for (const h of health) {
      if (h.crashesInRow === 0) continue;
      const want = desired.find((d) => d.name === h.app)?.formation[h.process] ?? 0;
      const mine = observed.filter((c) => c.app === h.app && c.process === h.process);
      const up = mine.filter((c) => c.state === "running").length;
      if (want > 0 && up >= want && h.backoffUntil) this.ctx.store.clearBackoff(h.app, h.process);
      const steady =
        mine.length >= want &&
        mine.every((c) => c.state === "running" && c.startedAt !== null && now - Date.parse(c.startedAt) > STEADY_MS);
      if (want > 0 && steady) this.ctx.store.clearCrashStreak(h.app, h.process);
    }
  }
}

const STEADY_MS = 60_000;

/** What should run: the live release's process types at the app's formation, nothing while stopped. */
export function desiredFormation(app: App, live: Release | undefined): Record<string, number> {
  if (!live) return {};
  return Object.fromEntries(
    Object.keys(live.processes).map((t) => [t, app.stopped ? 0 : (app.formation[t] ?? (t === "web" ? 1 : 0))]),
  );
}
