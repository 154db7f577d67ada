import type { RoutedServer } from "../../domain/types.js";
import type { Endpoint, UnitKind } from "../../engines/engine.js";

/** A recorded unit as the reconciler sees it: app, process and release from our record, the rest from its engine. */
export interface ObservedUnit {
  id: string;
  name: string;
  app: string;
  process: string;
  kind: UnitKind;
  releaseVersion: number;
  state: string;
  status: string;
  exitCode: number | null;
  endpoint: Endpoint | null;
  startedAt: string | null;
}

export interface AppDesired {
  name: string;
  /** process type → containers wanted (only the live release's types; zeros when stopped) */
  formation: Record<string, number>;
  /** version of the live release, null before the first deploy */
  liveVersion: number | null;
  /** a deploy or destroy of this app is in progress: leave it alone */
  busy: boolean;
  /** process type → time (ms) before which no replacement may start (crash backoff) */
  backoffUntil: Record<string, number>;
  /** blue-green: the version whose web set stays running, unrouted by weight (0), for a switch back */
  standbyVersion?: number | null;
}

export interface ReconcilePlan {
  /** units to stop and remove (dead, old releases, orphans, extras) */
  remove: ObservedUnit[];
  /** of those, live-release containers that died: each counts as a crash */
  crashed: ObservedUnit[];
  /** router servers to take out */
  unroute: RoutedServer[];
  /** router servers whose unit is reached elsewhere now (its engine restarted it) */
  readdress: { server: RoutedServer; address: string; port: number }[];
  /** running web containers of the live release that the router lacks: gate, then route */
  adopt: ObservedUnit[];
  /** new containers of the live release to start (web ones are gated and routed) */
  start: { app: string; process: string; count: number }[];
  /** process types waiting out a crash backoff */
  waiting: { app: string; process: string; until: number }[];
}

/**
 * Compares what the store wants with what the engine and the router have, and
 * returns the difference. Pure (Nomad's reconciler shape): the caller applies it.
 * It converges every app to exactly its live release at its formation, web
 * containers routed, and nothing else of ours running — except one-off
 * containers (runs, cron, release phase), which have owners of their own.
 */
export function reconcile(
  apps: AppDesired[],
  containers: ObservedUnit[],
  routed: RoutedServer[],
  now: number,
): ReconcilePlan {
  const plan: ReconcilePlan = {
    remove: [],
    crashed: [],
    unroute: [],
    readdress: [],
    adopt: [],
    start: [],
    waiting: [],
  };
  const known = new Map(apps.map((a) => [a.name, a]));
  const processes = containers.filter((c) => c.kind === "process");

  for (const c of processes) if (!known.has(c.app)) plan.remove.push(c); // app destroyed while we were down
  for (const s of routed) if (!known.has(s.app)) plan.unroute.push(s);

  for (const app of apps) {
    if (app.busy) continue;
    const mine = processes.filter((c) => c.app === app.name);
    const byId = new Map(mine.map((c) => [c.id, c]));
    const isLive = (c: ObservedUnit) =>
      app.liveVersion !== null && c.releaseVersion === app.liveVersion && (app.formation[c.process] ?? 0) > 0;
    const running = (c: ObservedUnit) => c.state === "running";
    const standby = (c: ObservedUnit) =>
      app.standbyVersion != null && c.releaseVersion === app.standbyVersion && c.process === "web" && running(c);

    // Router servers must point at running live web containers, at their current address.
    const kept: RoutedServer[] = [];
    for (const s of routed.filter((x) => x.app === app.name)) {
      const c = byId.get(s.unitId);
      if (c && standby(c)) continue;
      if (!c || !isLive(c) || !running(c) || s.state === "drain") plan.unroute.push(s);
      else {
        kept.push(s);
        if (c.endpoint && (c.endpoint.address !== s.address || c.endpoint.port !== s.port))
          plan.readdress.push({ server: s, address: c.endpoint.address, port: c.endpoint.port });
      }
    }
    const routedIds = new Set(kept.map((s) => s.unitId));
    const extraServers = kept.slice(app.formation.web ?? 0);
    for (const s of extraServers) plan.unroute.push(s);
    const extraIds = new Set(extraServers.map((s) => s.unitId));

    const types = new Set([...Object.keys(app.formation), ...mine.map((c) => c.process)]);
    for (const type of types) {
      const want = app.liveVersion === null ? 0 : (app.formation[type] ?? 0);
      let have = type === "web" ? kept.length - extraServers.length : 0;
      for (const c of mine.filter((x) => x.process === type)) {
        if ((routedIds.has(c.id) && !extraIds.has(c.id)) || standby(c)) continue;
        if (!running(c)) {
          plan.remove.push(c);
          if (isLive(c)) plan.crashed.push(c);
        } else if (isLive(c) && have < want) {
          if (type === "web") plan.adopt.push(c);
          have++;
        } else plan.remove.push(c);
      }
      if (have < want) {
        const until = app.backoffUntil[type] ?? 0;
        if (until > now) plan.waiting.push({ app: app.name, process: type, until });
        else plan.start.push({ app: app.name, process: type, count: want - have });
      }
    }
  }
  return plan;
}

export const isEmptyPlan = (p: ReconcilePlan) =>
  !p.remove.length && !p.unroute.length && !p.readdress.length && !p.adopt.length && !p.start.length;

/** Exponential backoff for a crash-looping process: 1 s, 2 s, 4 s … capped at 5 minutes. */
export function crashBackoffMs(crashesInRow: number): number {
  return Math.min(300_000, 1000 * 2 ** Math.max(0, crashesInRow - 1));
}
