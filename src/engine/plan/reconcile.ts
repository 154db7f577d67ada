import type { ObservedContainer } from "../../docker/port.js";
import type { RoutedServer } from "../../domain/types.js";

export interface AppDesired {
  name: string;
  replicas: number;
  /** version of the live release, null before the first deploy */
  liveVersion: number | null;
  /** a deploy or destroy of this app is in progress: leave it alone */
  busy: boolean;
}

export interface ReconcilePlan {
  /** containers to stop and remove (dead, old releases, orphans, extras) */
  remove: ObservedContainer[];
  /** router servers to take out (drained first while their container still runs) */
  unroute: RoutedServer[];
  /** router servers whose container's address changed (dockerd restarted) */
  readdress: { server: RoutedServer; address: string }[];
  /** running containers of the live release that the router lacks: gate, then route */
  adopt: ObservedContainer[];
  /** new web containers of the live release to start, gate and route */
  start: { app: string; count: number }[];
}

/**
 * Compares what the store wants with what Docker and the router have, and
 * returns the difference. Pure (Nomad's reconciler shape): the caller applies it.
 * It converges every app to exactly its live release, `replicas` web containers,
 * all routed, and nothing else of ours running.
 */
export function reconcile(apps: AppDesired[], containers: ObservedContainer[], routed: RoutedServer[]): ReconcilePlan {
  const plan: ReconcilePlan = { remove: [], unroute: [], readdress: [], adopt: [], start: [] };
  const known = new Map(apps.map((a) => [a.name, a]));

  for (const c of containers) if (!known.has(c.app)) plan.remove.push(c); // app destroyed while we were down
  for (const s of routed) if (!known.has(s.app)) plan.unroute.push(s);

  for (const app of apps) {
    if (app.busy) continue;
    const mine = containers.filter((c) => c.app === app.name);
    const byId = new Map(mine.map((c) => [c.id, c]));
    const servers = routed.filter((s) => s.app === app.name);
    const isLive = (c: ObservedContainer) => app.liveVersion !== null && c.release === app.liveVersion && c.process === "web" && c.state === "running";

    // Router servers must point at running live containers, at their current address.
    const keptServers: RoutedServer[] = [];
    for (const s of servers) {
      const c = byId.get(s.containerId);
      if (!c || !isLive(c) || s.state === "drain") plan.unroute.push(s);
      else {
        keptServers.push(s);
        if (c.ip && c.ip !== s.address) plan.readdress.push({ server: s, address: c.ip });
      }
    }
    const routedIds = new Set(keptServers.map((s) => s.containerId));

    let healthy = keptServers.length;
    for (const c of mine) {
      if (routedIds.has(c.id)) continue;
      if (isLive(c) && healthy < app.replicas) {
        plan.adopt.push(c);
        healthy++;
      } else plan.remove.push(c);
    }
    // Extra routed servers beyond the replica count (the count was lowered).
    for (const s of keptServers.slice(app.replicas)) {
      plan.unroute.push(s);
      const c = byId.get(s.containerId);
      if (c) plan.remove.push(c);
    }
    if (app.liveVersion !== null && healthy < app.replicas) plan.start.push({ app: app.name, count: app.replicas - healthy });
  }
  return plan;
}

export const isEmptyPlan = (p: ReconcilePlan) => !p.remove.length && !p.unroute.length && !p.readdress.length && !p.adopt.length && !p.start.length;
