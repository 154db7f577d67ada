import type { EngineContext } from "./context.js";
import { desiredRouter } from "./plan/router-desired.js";
import type { DesiredRouter } from "../router/types.js";

/** The router's desired state, read from the store (the source of truth). */
export function desiredFromStore(ctx: Pick<EngineContext, "store" | "domain">): DesiredRouter {
  const apps = ctx.store.listApps().map((a) => ({ name: a.name, domains: ctx.store.listDomains(a.name) }));
  return desiredRouter({ domain: ctx.domain, apps, servers: ctx.store.routedServers() });
}

/** Makes the live router match the store. */
export function syncRouter(ctx: Pick<EngineContext, "store" | "domain" | "router">): Promise<void> {
  return ctx.router.apply(desiredFromStore(ctx));
}
