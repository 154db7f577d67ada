import type { EngineContext } from "./context.js";
import { createHash } from "node:crypto";
import { desiredRouter } from "./plan/router-desired.js";
import type { DesiredRouter } from "../router/types.js";
import type { App } from "../domain/types.js";

/** The router's desired state, read from the store (the source of truth). */
export function desiredFromStore(ctx: Pick<EngineContext, "store" | "domain" | "tls">): DesiredRouter {
  const apps = ctx.store
    .listApps()
    .map((a) => ({ name: a.name, domains: ctx.store.listDomains(a.name), stickyKey: stickyKey(ctx, a) }));
  return { ...desiredRouter({ domain: ctx.domain, apps, servers: ctx.store.routedServers() }), ...ctx.tls?.desired() };
}

/** Makes the live router match the store. */
export function syncRouter(ctx: Pick<EngineContext, "store" | "domain" | "router" | "tls">): Promise<void> {
  return ctx.router.apply(desiredFromStore(ctx));
}

/**
 * Sticky sessions (deploy setting `sticky`, or app.json's through the live
 * release): the cookie key is derived from this install's instance id and the
 * app, so it is stable across restarts and differs between installs.
 */
function stickyKey(ctx: Pick<EngineContext, "store">, a: App): string | null {
  const sticky =
    a.deploySettings.sticky ??
    (a.liveReleaseId ? ctx.store.getRelease(a.liveReleaseId)?.manifest.deploy.sticky : undefined) ??
    false;
  if (!sticky) return null;
  const instance = ctx.store.metaOnce("instance", () => "none");
  return createHash("sha256").update(`yadokari-sticky:${instance}:${a.name}`).digest("hex").slice(0, 32);
}
