import type { RoutedServer } from "../../domain/types.js";
import type { HealthCheck } from "../../domain/health-check.js";
import type { UnitSpec } from "../../engines/engine.js";
import type { GateResult } from "../health/gate.js";
import type { OwnedUnit, Units } from "../units.js";
import type { CanaryMark, CommitChange, CommitSnapshot, ServerChange, Step, WeightsStep } from "../plan/steps.js";
import type { PlanEffects } from "../plan/traffic-plans.js";
import { DeployError } from "./deploy-error.js";

/** The routed servers of the store: the executor is the only code that writes them. */
export interface RouteStore {
  routedServers(app: string): RoutedServer[];
  upsertRoutedServer(s: RoutedServer): void;
  removeRoutedServer(app: string, process: string, name: string): void;
  tx<T>(fn: () => T): T;
}

/** The live router: made to match the store, and asked how many requests a server still serves. */
export interface RouterSync {
  sync(): Promise<void>;
  sessions(app: string, server: string): Promise<number>;
}

/** Where the executor records its steps (a deploy's steps), or nowhere (repairs). */
export interface StepLog {
  start(name: string, detail: string | null): number | null;
  finish(id: number | null, status: "done" | "failed", detail?: string | null): void;
}
export const NO_STEP_LOG: StepLog = { start: () => null, finish: () => {} };

/** A canary's hold: the analysis of the router's figures decides when the step ends (src/canary/hold.ts). */
export interface CanaryGate {
  /** a promotion recorded before this step began: it and the steps below 100 % after it are skipped */
  promotePending(): boolean;
  /** holds a canary step; throws DeployError canary_aborted on a bad verdict or an abort request */
  hold(mark: CanaryMark, opts: { wait: boolean; newUnits: OwnedUnit[] }): Promise<"advance" | "promoted">;
}

export interface ExecutorDeps {
  app: string;
  units: Units;
  routes: RouteStore;
  router: RouterSync;
  /** the commit step's one transaction; returns the app's state as it found it */
  commit(change: CommitChange): CommitSnapshot;
  setStandby(releaseId: number, until: number): void;
  gate(unit: OwnedUnit, hc: HealthCheck): Promise<GateResult>;
  runOneOff(
    spec: UnitSpec,
    opts: { onLine: (line: string) => void; timeoutSec: number },
  ): Promise<{ exitCode: number | null; timedOut: boolean }>;
  canary?: CanaryGate;
  steps: StepLog;
  out: (line: string) => void;
  log: (msg: string) => void;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  drainTimeoutSec: number;
  stopTimeoutSec: number;
  /** background work of the app that its next deploy waits for */
  track(work: Promise<unknown>): void;
  /** repairs: a unit that failed its gate (it is removed) */
  onGateFailure?(unit: OwnedUnit, reason: string): void;
}

const plural = (n: number, what: string) => `${n} ${what}(s)`;

/**
 * Runs a plan's steps one at a time, recording each. It is the one place that
 * starts and removes units for a plan, changes which servers the router has
 * and at what weight, and commits a release. It holds only what the steps
 * hand each other: the units of each batch, what it routed and changed (so a
 * failure can be undone), and whether the plan has committed.
 */
export class Executor {
  private readonly batches = new Map<string, OwnedUnit[]>();
  private readonly routedNew = new Set<string>();
  private readonly touched = new Map<string, ServerChange>();
  private promoted = false;
  /** the app's state before this plan's commit step, once it ran */
  before: CommitSnapshot | null = null;

  constructor(private readonly d: ExecutorDeps) {}

  get committed(): boolean {
    return this.before !== null;
  }

  async run(plan: Step[]): Promise<void> {
    for (const step of plan) await this.execute(step, true);
  }

  /** What an uncommitted plan must take back if it fails now. */
  effects(): PlanEffects {
    return {
      unitIds: [...this.batches.values()].flat().map((u) => u.id),
      routedNew: [...this.routedNew],
      touched: [...this.touched.values()],
    };
  }

  /** Units this plan started or adopted, by batch. */
  batch(name: string): OwnedUnit[] {
    return this.batches.get(name) ?? [];
  }

  private async recorded<T>(name: string, fn: () => Promise<T>, detail: string | null = null): Promise<T> {
    const id = this.d.steps.start(name, detail);
    try {
      const r = await fn();
      this.d.steps.finish(id, "done");
      return r;
    } catch (e) {
      this.d.steps.finish(id, "failed", (e as Error).message);
      throw e;
    }
  }

  private async execute(step: Step, record: boolean): Promise<void> {
    const rec = <T>(name: string, fn: () => Promise<T>, detail: string | null = null) =>
      record ? this.recorded(name, fn, detail) : fn();
    const { out } = this.d;
    const mark = step.kind === "weights" || step.kind === "hold" ? step.canary : undefined;
    if (mark && mark.percent < 100) {
      if (!this.promoted && this.d.canary?.promotePending()) this.promoted = true;
      if (this.promoted) {
        if (step.kind === "hold")
          out(`-----> Canary step ${mark.index + 1}/${mark.total} (${mark.percent}%) skipped: promoted`);
        return;
      }
    }
    switch (step.kind) {
      case "release-phase": {
        out(`-----> Release phase: ${step.command}`);
        const r = await rec("release-phase", () =>
          this.d.runOneOff(step.spec, { onLine: (l) => out(`       ${l}`), timeoutSec: step.timeoutSec }),
        );
        if (r.timedOut)
          throw new DeployError(
            "release_phase_failed",
            `the release phase (${step.command}) did not finish within ${step.timeoutSec} s; no new container was started`,
          );
        if (r.exitCode !== 0)
          throw new DeployError(
            "release_phase_failed",
            `the release phase (${step.command}) exited with code ${r.exitCode}; no new container was started`,
          );
        out(`-----> Release phase done`);
        return;
      }
      case "start": {
        const v = step.specs[0]?.releaseVersion;
        out(
          `-----> Starting ${plural(step.specs.length, `${step.process} container`)} of v${v}${step.process === "web" ? ` (batch ${step.batch})` : ""}`,
        );
        const started = await rec(
          `start ${step.batch}`,
          () => this.d.units.startAll(step.specs),
          plural(step.specs.length, "container"),
        );
        this.batches.set(step.batch, [...this.batch(step.batch), ...started]);
        return;
      }
      case "adopt": {
        const found = await Promise.all(step.unitIds.map((id) => this.d.units.get(id)));
        this.batches.set(step.batch, [...this.batch(step.batch), ...found.filter((u): u is OwnedUnit => u !== null)]);
        return;
      }
      case "gate":
        return this.gate(step.batch, step.healthcheck, !!step.each, rec);
      case "commit":
        await rec("commit", async () => {
          this.before = this.d.commit(step.change);
        });
        return;
      case "weights":
        return this.weights(step, rec);
      case "drain":
        await rec(step.name, () => this.drain(step.servers), plural(step.servers.length, "server"));
        return;
      case "remove": {
        const what = plural(new Set(step.unitIds).size, "container");
        await rec(step.name, () => this.remove(step.servers, step.unitIds), what);
        return;
      }
      case "hold": {
        if (step.canary) {
          if (!this.d.canary) throw new Error("a canary step without a canary gate");
          const gate = this.d.canary;
          const m = step.canary;
          const r = await rec(step.name, () => gate.hold(m, { wait: !this.promoted, newUnits: this.routedUnits() }));
          if (r === "promoted") this.promoted = true;
          return;
        }
        out(`-----> Pausing ${step.seconds ?? 0} s before the next batch`);
        await rec(step.name, () => this.d.sleep((step.seconds ?? 0) * 1000));
        return;
      }
      case "standby":
        await rec(
          "standby",
          async () => this.d.setStandby(step.releaseId, this.d.now() + step.idleSec * 1000),
          plural(step.servers.length, "old container"),
        );
        out(
          `-----> ${plural(step.servers.length, "old web container")} kept running at weight 0 for an instant switch back (yk rollback)`,
        );
        return;
      case "background": {
        const detail = step.steps
          .map((s) => (s.kind === "remove" ? plural(new Set(s.unitIds).size, "old container") : ""))
          .join("");
        const id = record ? this.d.steps.start(step.name, detail || null) : null;
        const work = (async () => {
          for (const s of step.steps) await this.execute(s, false);
        })();
        this.d.track(work);
        void work.then(
          () => this.d.steps.finish(id, "done"),
          (e) => {
            this.d.steps.finish(id, "failed", (e as Error).message);
            this.d.log(`${this.d.app}: ${step.name}: ${(e as Error).message}`);
          },
        );
        return;
      }
    }
  }

  /** Web units of this plan that the router has (a canary's new set). */
  private routedUnits(): OwnedUnit[] {
    return [...this.batches.values()].flat().filter((u) => this.routedNew.has(u.name));
  }

  private async gate(
    batchName: string,
    hc: HealthCheck,
    each: boolean,
    rec: <T>(name: string, fn: () => Promise<T>, detail?: string | null) => Promise<T>,
  ): Promise<void> {
    const batch = this.batch(batchName);
    this.d.out(`-----> Health check: GET ${hc.path} on ${plural(batch.length, "new container")}`);
    await rec(`gate ${batchName}`, async () => {
      const results = await Promise.all(batch.map(async (u) => ({ u, r: await this.d.gate(u, hc) })));
      const failed = results.filter((x) => !x.r.ok);
      if (!failed.length) return;
      if (each) {
        for (const { u, r } of failed) {
          this.d.onGateFailure?.(u, r.ok ? "" : r.reason);
          await this.d.units.remove(u.id).catch((e) => this.d.log(`remove ${u.name}: ${(e as Error).message}`));
        }
        this.batches.set(
          batchName,
          batch.filter((u) => !failed.some((f) => f.u.id === u.id)),
        );
        return;
      }
      const first = failed[0];
      const containerLog = await this.d.units.logsTail(first.u.id, 30).catch(() => "");
      // the batch never took traffic: its units go now
      await Promise.all(batch.map((u) => this.d.units.remove(u.id).catch(() => {})));
      this.batches.delete(batchName);
      throw new DeployError("health_check_failed", first.r.ok ? "" : first.r.reason, containerLog || null);
    });
    if (!each) this.d.out(`-----> ${plural(batch.length, "container")} healthy`);
  }

  private async weights(
    step: WeightsStep,
    rec: <T>(name: string, fn: () => Promise<T>, detail?: string | null) => Promise<T>,
  ): Promise<void> {
    const { routes, app } = this.d;
    const incoming: { unit: OwnedUnit; weight: number }[] = [];
    for (const r of step.route ?? []) {
      for (const u of this.batch(r.batch)) {
        // an address may come after the start (it had none yet when inspected)
        const unit = u.endpoint ? u : ((await this.d.units.get(u.id)) ?? u);
        if (!unit.endpoint || unit.releaseId === null)
          throw new DeployError("deploy_failed", `container ${u.name} has no address the router can reach`);
        incoming.push({ unit, weight: r.weight });
      }
    }
    const draining = (step.set ?? []).filter((c) => c.state === "drain").length;
    await rec(
      step.name,
      async () => {
        routes.tx(() => {
          const current = new Map(routes.routedServers(app).map((s) => [s.name, s]));
          for (const { unit: u, weight } of incoming) {
            routes.upsertRoutedServer({
              app,
              process: u.process,
              name: u.name,
              unitId: u.id,
              releaseId: u.releaseId!,
              address: u.endpoint!.address,
              port: u.endpoint!.port,
              weight,
              state: "ready",
            });
            this.routedNew.add(u.name);
          }
          for (const c of step.set ?? []) {
            const s = current.get(c.name);
            if (!s) continue;
            if (!this.routedNew.has(c.name) && !this.touched.has(c.name))
              this.touched.set(c.name, { name: c.name, weight: s.weight, state: s.state });
            routes.upsertRoutedServer({ ...s, weight: c.weight, state: c.state });
          }
          for (const name of step.unroute ?? []) {
            const s = current.get(name);
            if (s) routes.removeRoutedServer(app, s.process, name);
          }
          for (const r of step.readdress ?? []) {
            const s = current.get(r.name);
            if (s) routes.upsertRoutedServer({ ...s, address: r.address, port: r.port });
          }
        });
        await this.d.router.sync();
      },
      `${incoming.length} in${draining ? `, ${draining} draining` : ""}`,
    );
    if (incoming.length && !step.canary)
      this.d.out(
        `-----> Router: ${plural(incoming.length, `v${incoming[0].unit.releaseVersion} container`)} in${draining ? `, ${draining} old draining` : ""}`,
      );
  }

  /** No new requests (drain state), then wait until in-flight ones are done, bounded by the drain timeout. */
  private async drain(names: string[]): Promise<void> {
    const { routes, app } = this.d;
    const servers = routes.routedServers(app).filter((s) => names.includes(s.name));
    const ready = servers.filter((s) => s.state !== "drain");
    if (ready.length) {
      routes.tx(() => {
        for (const s of ready) {
          if (!this.routedNew.has(s.name) && !this.touched.has(s.name))
            this.touched.set(s.name, { name: s.name, weight: s.weight, state: s.state });
          routes.upsertRoutedServer({ ...s, state: "drain" });
        }
      });
      await this.d.router.sync();
    }
    const deadline = this.d.now() + this.d.drainTimeoutSec * 1000;
    for (const s of servers) {
      while (this.d.now() < deadline && (await this.d.router.sessions(app, s.name).catch(() => 0)) > 0)
        await this.d.sleep(100);
    }
  }

  /** Servers out of the router, then their units (and any others named) stopped and removed. */
  private async remove(names: string[], unitIds: string[]): Promise<void> {
    const { routes, app } = this.d;
    const servers = routes.routedServers(app).filter((s) => names.includes(s.name));
    if (servers.length) {
      routes.tx(() => {
        for (const s of servers) routes.removeRoutedServer(app, s.process, s.name);
      });
      await this.d.router.sync();
    }
    for (const n of names) {
      this.routedNew.delete(n);
      this.touched.delete(n);
    }
    const ids = new Set([...unitIds, ...servers.map((s) => s.unitId)]);
    for (const [b, us] of this.batches)
      this.batches.set(
        b,
        us.filter((u) => !ids.has(u.id)),
      );
    await Promise.all([...ids].map((id) => this.d.units.retire(id, this.d.stopTimeoutSec)));
  }
}
