import type { EngineContext } from "../engine/context.js";
import type { RoutedServer } from "../domain/types.js";
import { planRepairs } from "../engine/plan/traffic-plans.js";
import { executorFor } from "../engine/execute/wiring.js";

/** A recorded process unit as the route check needs it (an OwnedUnit). */
export interface SeenUnit {
  id: string;
  state: string;
  endpoint: { address: string; port: number } | null;
}

export interface RouteFixes {
  /** routed servers whose unit is gone or stopped */
  unroute: RoutedServer[];
  /** routed servers whose unit runs at another address now */
  readdress: { server: RoutedServer; address: string; port: number }[];
}

/**
 * The routes that no longer point at their unit. Pure. Only a route's unit
 * is looked at, never which release is live: a canary's or a blue-green
 * standby's servers stay (their owners resume them), and what should run is
 * the reconciler's business.
 */
export function routeFixes(routed: RoutedServer[], observed: SeenUnit[]): RouteFixes {
  const byId = new Map(observed.map((c) => [c.id, c]));
  const fixes: RouteFixes = { unroute: [], readdress: [] };
  for (const s of routed) {
    const c = byId.get(s.unitId);
    if (!c || c.state !== "running") fixes.unroute.push(s);
    else if (c.endpoint && (c.endpoint.address !== s.address || c.endpoint.port !== s.port))
      fixes.readdress.push({ server: s, address: c.endpoint.address, port: c.endpoint.port });
  }
  return fixes;
}

/** Route changes recorded in the store only: the router is given them all at once afterwards. */
const HELD_BACK = { sync: async () => {}, sessions: async () => 0 };

/**
 * Before the server starts HAProxy: routes follow the units the engine runs
 * now. After a reboot (or a dockerd restart) Docker restarts the app
 * containers (restart policy unless-stopped) but may hand their addresses out
 * in another order; a config rendered from the old addresses would send one
 * app's requests to another app's container until the reconciler's first pass.
 * Only recorded units count (src/engine/units.ts). Each app's fixes are a
 * repair plan run by the executor in the app's lock, as the reconciler's are,
 * but their router changes are held back: applied app by app, the first would
 * start HAProxy with the other apps' old addresses. The server starts (or
 * syncs) the router once every app's routes are fixed.
 */
export async function settleRoutes(ctx: EngineContext): Promise<{ unrouted: number; readdressed: number }> {
  const fixes = routeFixes(ctx.store.routedServers(), await ctx.units.list({ kind: "process" }));
  const apps = new Set([...fixes.unroute.map((s) => s.app), ...fixes.readdress.map((x) => x.server.app)]);
  for (const app of apps)
    await ctx.locks.run(app, () =>
      executorFor(ctx, app, { router: HELD_BACK }).run(
        planRepairs({
          unroute: fixes.unroute.filter((s) => s.app === app),
          readdress: fixes.readdress.filter((x) => x.server.app === app),
          remove: [],
          adopt: [],
          start: [],
          healthcheck: null,
        }),
      ),
    );
  return { unrouted: fixes.unroute.length, readdressed: fixes.readdress.length };
}
