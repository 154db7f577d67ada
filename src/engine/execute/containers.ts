import { randomBytes } from "node:crypto";
import type { EngineContext } from "../context.js";
import type { ContainerSpec, ObservedContainer } from "../../docker/port.js";
import type { Release, RoutedServer } from "../../domain/types.js";
import { gate } from "../health/gate.js";
import { DEFAULT_PORT, NETWORK, processContainerSpec } from "../plan/container-spec.js";
import { syncRouter } from "../router-sync.js";
import { crashBackoffMs } from "../plan/reconcile.js";
import { backendName } from "../../domain/names.js";

export interface Started {
  id: string;
  name: string;
  ip: string | null;
}

export const newSuffix = () => randomBytes(3).toString("hex");

/** Starts containers in parallel; if one fails to start, removes those that did start and rethrows. */
export async function startContainers(ctx: EngineContext, specs: ContainerSpec[]): Promise<Started[]> {
  const results = await Promise.allSettled(
    specs.map(async (spec) => ({ ...(await ctx.docker.run(spec, NETWORK)), name: spec.name })),
  );
  const started = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) {
    await removeContainers(
      ctx,
      started.map((s) => s.id),
    );
    throw failed.reason;
  }
  return started;
}

export async function removeContainers(ctx: EngineContext, ids: string[]): Promise<void> {
  await Promise.all(
    ids.map((id) =>
      ctx.docker.remove(id).catch((e) => ctx.log(`could not remove container ${id}: ${(e as Error).message}`)),
    ),
  );
}

export type GateFailure = { reason: string; containerLog: string };

/** Gates every container in parallel; on failure returns the reason and the failing container's last log lines. */
export async function gateAll(ctx: EngineContext, started: Started[], release: Release): Promise<GateFailure | null> {
  const results = await Promise.all(
    started.map((s) => gate({ ...s, port: DEFAULT_PORT }, release.healthcheck, ctx.gateDeps).then((r) => ({ s, r }))),
  );
  const bad = results.find((x) => !x.r.ok);
  if (!bad || bad.r.ok) return null;
  const containerLog = await ctx.docker.logsTail(bad.s.id, 30).catch(() => "");
  return { reason: bad.r.reason, containerLog };
}

export function routedServerFor(release: Release, s: Started): RoutedServer {
  return {
    app: release.app,
    process: "web",
    name: s.name,
    containerId: s.id,
    releaseId: release.id,
    address: s.ip ?? "",
    port: DEFAULT_PORT,
    weight: 100,
    state: "ready",
  };
}

/**
 * Retires old servers: drain (no new requests; in-flight ones finish, bounded
 * by the drain timeout), take them out of the router, then stop (SIGTERM,
 * stop timeout) and remove their containers. Runs off the deploy's live path.
 */
export async function retire(
  ctx: EngineContext,
  app: string,
  servers: RoutedServer[],
  containers: ObservedContainer[],
): Promise<void> {
  await ctx.locks.hold(app, async () => {
    const deadline = Date.now() + ctx.drainTimeoutSec * 1000;
    for (const s of servers) {
      while (
        Date.now() < deadline &&
        (await ctx.router.serverSessions(backendName(app, "web"), s.name).catch(() => 0)) > 0
      ) {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    for (const s of servers) ctx.store.removeRoutedServer(s.app, s.process, s.name);
    if (servers.length) await syncRouter(ctx);
    const ids = new Set([...servers.map((s) => s.containerId), ...containers.map((c) => c.id)]);
    await Promise.all(
      [...ids].map(async (id) => {
        await ctx.docker.stop(id, ctx.stopTimeoutSec);
        await ctx.docker.remove(id);
      }),
    );
  });
}

/** Starts `count` containers of a process type of the live release; web ones are gated and routed (the reconciler's repair path). */
export async function replenish(ctx: EngineContext, release: Release, process: string, count: number): Promise<void> {
  const mounts = ctx.store.mounts(release.app);
  const specs = Array.from({ length: count }, () =>
    processContainerSpec(release, process, newSuffix(), ctx.stopTimeoutSec, mounts, ctx.pidsLimit),
  );
  const started = await startContainers(ctx, specs);
  if (process === "web") await routeAfterGate(ctx, release, started);
}

/** Gates already-running containers and routes those that pass; removes those that fail. */
export async function routeAfterGate(ctx: EngineContext, release: Release, started: Started[]): Promise<void> {
  const results = await Promise.all(
    started.map((s) => gate({ ...s, port: DEFAULT_PORT }, release.healthcheck, ctx.gateDeps).then((r) => ({ s, r }))),
  );
  for (const { s, r } of results) {
    if (r.ok) ctx.store.upsertRoutedServer(routedServerFor(release, s));
    else {
      // A replacement that fails its gate is a crash too: the backoff keeps it from spinning.
      const streak = (ctx.store.processHealth(release.app).find((h) => h.process === "web")?.crashesInRow ?? 0) + 1;
      ctx.store.recordCrash(release.app, "web", null, new Date(Date.now() + crashBackoffMs(streak)).toISOString());
      ctx.log(`${release.app}: ${r.reason}`);
      await removeContainers(ctx, [s.id]);
    }
  }
  await syncRouter(ctx);
}
