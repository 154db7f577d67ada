import type { EngineContext } from "../engine/context.js";
import { desiredFormation } from "../engine/reconciler.js";
import { reconcile, type AppDesired } from "../engine/plan/reconcile.js";
import { CanaryStore } from "../canary/canary-store.js";

/**
 * Before the server starts HAProxy: the routes in the store are brought in
 * line with the containers Docker runs now. After a reboot (or a dockerd
 * restart) Docker restarts the app containers but may hand their addresses
 * out in another order; a config rendered from the old addresses would send
 * one app's requests to another app's container until the reconciler's first
 * pass. Only the reconciler's unroute and readdress decisions (the same pure
 * planner) are applied here; starting what is missing stays its job.
 */
export async function settleRoutes(ctx: EngineContext): Promise<{ unrouted: number; readdressed: number }> {
  const { store } = ctx;
  const standby = new Map(
    new CanaryStore(store.db).allStandby().map((s) => [s.app, store.getRelease(s.releaseId)?.version ?? -1]),
  );
  const desired: AppDesired[] = store.listApps().map((a) => {
    const live = a.liveReleaseId ? (store.getRelease(a.liveReleaseId) ?? undefined) : undefined;
    return {
      name: a.name,
      formation: desiredFormation(a, live),
      liveVersion: live?.version ?? null,
      busy: false,
      backoffUntil: {},
      standbyVersion: standby.get(a.name) ?? null,
    };
  });
  const plan = reconcile(desired, await ctx.docker.list(), store.routedServers(), Date.now());
  for (const s of plan.unroute) store.removeRoutedServer(s.app, s.process, s.name);
  for (const { server, address } of plan.readdress) store.upsertRoutedServer({ ...server, address });
  return { unrouted: plan.unroute.length, readdressed: plan.readdress.length };
}
