import type { EngineContext } from "../engine/context.js";
import type { ObservedContainer } from "../docker/port.js";
import type { RoutedServer } from "../domain/types.js";

export interface RouteFixes {
  /** routed servers whose container is gone or stopped */
  unroute: RoutedServer[];
  /** routed servers whose container runs at another address now */
  readdress: { server: RoutedServer; address: string }[];
}

/**
 * The routes that no longer point at their container. Pure. Only a route's
 * container is looked at, never which release is live: a canary's or a
 * blue-green standby's servers stay (their owners resume them), and what
 * should run is the reconciler's business.
 */
export function routeFixes(routed: RoutedServer[], observed: ObservedContainer[]): RouteFixes {
  const byId = new Map(observed.map((c) => [c.id, c]));
  const fixes: RouteFixes = { unroute: [], readdress: [] };
  for (const s of routed) {
    const c = byId.get(s.containerId);
    if (!c || c.state !== "running") fixes.unroute.push(s);
    else if (c.ip && c.ip !== s.address) fixes.readdress.push({ server: s, address: c.ip });
  }
  return fixes;
}

/**
 * Before the server starts HAProxy: routes follow the containers Docker runs
 * now. After a reboot (or a dockerd restart) Docker restarts the app
 * containers but may hand their addresses out in another order; a config
 * rendered from the old addresses would send one app's requests to another
 * app's container until the reconciler's first pass.
 */
export async function settleRoutes(
  ctx: Pick<EngineContext, "store" | "docker">,
): Promise<{ unrouted: number; readdressed: number }> {
  const { store } = ctx;
  const fixes = routeFixes(store.routedServers(), await ctx.docker.list());
  for (const s of fixes.unroute) store.removeRoutedServer(s.app, s.process, s.name);
  for (const { server, address } of fixes.readdress) store.upsertRoutedServer({ ...server, address });
  return { unrouted: fixes.unroute.length, readdressed: fixes.readdress.length };
}
