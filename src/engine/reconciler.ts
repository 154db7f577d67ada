import type { EngineContext } from "./context.js";
import {
  reconcile,
  isEmptyPlan,
  crashBackoffMs,
  exitCodeFromStatus,
  type AppDesired,
  type ReconcilePlan,
} from "./plan/reconcile.js";
import type { ObservedContainer } from "../docker/port.js";
import type { ProcessHealth } from "../store/store.js";
import { replenish, routeAfterGate } from "./execute/containers.js";
import { syncRouter } from "./router-sync.js";
import type { App, Release } from "../domain/types.js";
import { CanaryStore } from "../canary/canary-store.js";
import { repairPhases, runLimited } from "../ops/start-order.js";

/**
 * Brings Docker and the router back to what the store says: on start, on
 * Docker events (a container died) and periodically. One pass at a time.
 */
export class Reconciler {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  private readonly progressive: CanaryStore;

  constructor(private readonly ctx: EngineContext) {
    this.progressive = new CanaryStore(ctx.store.db);
  }

  start(intervalMs = 5000): void {
    this.timer = setInterval(() => void this.trigger(), intervalMs);
    this.timer.unref();
    this.unsubscribe = this.ctx.docker.onEvents((e) => {
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
    const { store, docker, locks } = this.ctx;
    const now = Date.now();
    const apps = store.listApps();
    const releases = new Map<string, Release>();
    for (const a of apps) if (a.liveReleaseId) releases.set(a.name, store.getRelease(a.liveReleaseId)!);
    const health = store.allProcessHealth();
    // blue-green standby sets: kept until their time, then left to the pass like any old container
    const standby = new Map<string, number>();
    for (const sb of this.progressive.allStandby()) {
      if (sb.until <= now && !locks.busy(sb.app)) {
        this.progressive.dropStandby(sb.app);
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
    const observed = await docker.list();
    const plan = reconcile(desired, observed, store.routedServers(), now);
    this.clearSteadyStreaks(desired, observed, health, now);
    if (isEmptyPlan(plan)) return plan;
    this.ctx.log(
      `reconcile: remove ${plan.remove.length} (crashed ${plan.crashed.length}), unroute ${plan.unroute.length}, readdress ${plan.readdress.length}, adopt ${plan.adopt.length}, start ${plan.start.map((s) => `${s.app}/${s.process}×${s.count}`).join(",") || 0}`,
    );
    // Re-check busy right before acting: a deploy may have started while Docker answered.
    // Repairs that start containers queue behind deploys (locks.run), so the two never interleave.
    const idle = (app: string) => !locks.busy(app) || !store.getApp(app);

    for (const c of plan.crashed) {
      if (!idle(c.app)) continue;
      const streak = (health.find((h) => h.app === c.app && h.process === c.process)?.crashesInRow ?? 0) + 1;
      store.recordCrash(
        c.app,
        c.process,
        exitCodeFromStatus(c.status),
        new Date(now + crashBackoffMs(streak)).toISOString(),
      );
      this.ctx.log(
        `${c.app}: ${c.process} container ${c.name} crashed (${c.status}); crash ${streak} in a row, next start in ${crashBackoffMs(streak) / 1000} s`,
      );
    }
    for (const s of plan.unroute) if (idle(s.app)) store.removeRoutedServer(s.app, s.process, s.name);
    for (const { server, address } of plan.readdress)
      if (idle(server.app)) store.upsertRoutedServer({ ...server, address });
    await syncRouter(this.ctx);
    await Promise.all(
      plan.remove
        .filter((c) => idle(c.app))
        .map(async (c) => {
          await docker.stop(c.id, this.ctx.stopTimeoutSec);
          await docker.remove(c.id);
        }),
    );
    // A repair queued behind a deploy must not start the release that deploy replaced.
    const repair = (app: string, fn: (r: Release) => Promise<void>) => {
      const release = releases.get(app);
      if (!idle(app) || !release) return null;
      return locks.run(app, () => (store.getApp(app)?.liveReleaseId === release.id ? fn(release) : Promise.resolve()));
    };
    // Web first, then the other types, a few at a time (src/ops/start-order.ts): after a reboot the most apps serve soonest.
    const repairs = [
      ...groupBy(plan.adopt, (c) => c.app).map(([app, cs]) => ({
        app,
        process: "web",
        kind: "adopt" as const,
        run: () =>
          repair(app, (r) =>
            routeAfterGate(
              this.ctx,
              r,
              cs.map((c) => ({ id: c.id, name: c.name, ip: c.ip })),
            ),
          ),
      })),
      ...plan.start.map((s) => ({
        app: s.app,
        process: s.process,
        kind: "start" as const,
        run: () => repair(s.app, (r) => replenish(this.ctx, r, s.process, s.count)),
      })),
    ];
    for (const phase of repairPhases(repairs))
      await runLimited(
        phase.map(
          (r) => () =>
            (r.run() ?? Promise.resolve()).catch((e: Error) =>
              this.ctx.log(`reconcile: ${r.kind} ${r.app}/${r.process}: ${e.message}`),
            ),
        ),
        this.ctx.startConcurrency,
      );
    return plan;
  }

  /** A process type whose containers have all run for a minute is no longer crash-looping. */
  private clearSteadyStreaks(
    desired: AppDesired[],
    observed: ObservedContainer[],
    health: ProcessHealth[],
    now: number,
  ): void {
    for (const h of health) {
      if (h.crashesInRow === 0) continue;
      const want = desired.find((d) => d.name === h.app)?.formation[h.process] ?? 0;
      const mine = observed.filter((c) => c.app === h.app && c.process === h.process);
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

function groupBy<T>(xs: T[], key: (x: T) => string): [string, T[]][] {
  const m = new Map<string, T[]>();
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return [...m.entries()];
}
