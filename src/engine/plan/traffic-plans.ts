import type { RoutedServer } from "../../domain/types.js";
import type { HealthCheck } from "../../domain/health-check.js";
import type { UnitSpec } from "../../engines/engine.js";
import type { CommitChange, ServerChange, Step } from "./steps.js";

/**
 * The plans besides a deploy's own: every other change of traffic is one of
 * these, run by the same executor. Pure.
 */

/** What a plan had done when it failed: what the undo must take back. */
export interface PlanEffects {
  /** units the plan started or adopted that it still holds */
  unitIds: string[];
  /** servers the plan routed in */
  routedNew: string[];
  /** servers that were routed before the plan, as they were before it changed them */
  touched: ServerChange[];
}

/**
 * Undoes what an uncommitted plan did, without a moment with fewer routed
 * servers: the old servers get their weights and states back and the new
 * ones take no new request in one router change, then the new ones drain
 * and are removed with every unit the plan started.
 */
export function planUndo(e: PlanEffects, name = "undo"): Step[] {
  const steps: Step[] = [];
  if (e.routedNew.length || e.touched.length)
    steps.push({
      kind: "weights",
      name,
      set: [...e.routedNew.map((n) => ({ name: n, weight: 0, state: "drain" as const })), ...e.touched],
    });
  if (e.routedNew.length) steps.push({ kind: "drain", name: "drain", servers: e.routedNew });
  if (e.unitIds.length || e.routedNew.length)
    steps.push({ kind: "remove", name: "remove", servers: e.routedNew, unitIds: e.unitIds });
  return steps;
}

/**
 * Blue-green's switch back: the standby set takes every request and the
 * current set stands by, in one router change; then the target release is
 * live again with its config and formation. No unit starts.
 */
export function planSwitchBack(standby: RoutedServer[], current: RoutedServer[], commit: CommitChange): Step[] {
  return [
    {
      kind: "weights",
      name: "switch",
      set: [
        ...standby.map((s) => ({ name: s.name, weight: 100, state: "ready" as const })),
        ...current.map((s) => ({ name: s.name, weight: s.weight, state: "drain" as const })),
      ],
    },
    { kind: "commit", change: commit },
  ];
}

/** Web servers beyond the formation drain before their units stop. */
export function planScaleDown(extra: RoutedServer[]): Step[] {
  if (!extra.length) return [];
  return [
    {
      kind: "weights",
      name: "scale down",
      set: extra.map((s) => ({ name: s.name, weight: s.weight, state: "drain" })),
    },
    { kind: "drain", name: "drain", servers: extra.map((s) => s.name) },
    { kind: "remove", name: "remove", servers: extra.map((s) => s.name), unitIds: extra.map((s) => s.unitId) },
  ];
}

/** Servers and units that leave: drained, out of the router, stopped and removed. */
export function planRetire(servers: RoutedServer[], unitIds: string[]): Step[] {
  const names = servers.map((s) => s.name);
  return [
    ...(names.length ? [{ kind: "drain" as const, name: "drain", servers: names }] : []),
    {
      kind: "remove",
      name: "remove",
      servers: names,
      unitIds: [...new Set([...unitIds, ...servers.map((s) => s.unitId)])],
    },
  ];
}

/** One app's share of the reconciler's plan (src/engine/plan/reconcile.ts), as steps. */
export interface AppRepairs {
  unroute: RoutedServer[];
  readdress: { server: RoutedServer; address: string; port: number }[];
  /** units to stop and remove */
  remove: string[];
  /** running web units of the live release the router lacks: gated, then routed */
  adopt: string[];
  /** new units of the live release; web ones are gated and routed */
  start: { process: string; specs: UnitSpec[] }[];
  /** the live release's (null without one: nothing to adopt or start then) */
  healthcheck: HealthCheck | null;
}

/**
 * Repairs: dead or stray servers out and moved ones re-addressed in one router
 * change, stray units removed, then replacements started (web ones gated one
 * by one: one that fails is removed and counted as a crash, the others are routed).
 */
export function planRepairs(r: AppRepairs): Step[] {
  const steps: Step[] = [];
  if (r.unroute.length || r.readdress.length)
    steps.push({
      kind: "weights",
      name: "repair routes",
      unroute: r.unroute.map((s) => s.name),
      readdress: r.readdress.map((x) => ({ name: x.server.name, address: x.address, port: x.port })),
    });
  if (r.remove.length) steps.push({ kind: "remove", name: "remove", servers: [], unitIds: r.remove });
  if (!r.healthcheck) return steps;
  if (r.adopt.length)
    steps.push(
      { kind: "adopt", batch: "adopted", unitIds: r.adopt },
      { kind: "gate", batch: "adopted", healthcheck: r.healthcheck, each: true },
      { kind: "weights", name: "route adopted", route: [{ batch: "adopted", weight: 100 }] },
    );
  for (const s of r.start) {
    const batch = `replace-${s.process}`;
    steps.push({ kind: "start", batch, process: s.process, specs: s.specs });
    if (s.process === "web")
      steps.push(
        { kind: "gate", batch, healthcheck: r.healthcheck, each: true },
        { kind: "weights", name: `route ${batch}`, route: [{ batch, weight: 100 }] },
      );
  }
  return steps;
}
