import type { Access } from "../../accounts/policy.js";
import { accessOf } from "../guard.js";
import type { ApiRouter } from "../app.js";
import type { Seeded } from "./seeded.js";

export interface RegisteredRoute {
  method: string;
  /** Hono's form: /api/v1/apps/:app */
  path: string;
  /** the route's declared access; undefined when no guard is in its handler chain */
  access: Access | undefined;
}

/** Every method and path registered on the API, with the access its guard declares. */
export function registeredRoutes(api: ApiRouter): RegisteredRoute[] {
  const byKey = new Map<string, RegisteredRoute>();
  for (const r of api.routes) {
    if (r.method === "ALL") continue; // app-wide middleware
    const key = `${r.method} ${r.path}`;
    const entry = byKey.get(key) ?? { method: r.method, path: r.path, access: undefined };
    entry.access ??= accessOf(r.handler);
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}

/** A concrete path for a route of the seeded API: `app` for {app}, the seed's ids for the rest. */
export function fillPath(path: string, s: Seeded, app = "shop"): string {
  return path.replace(/:(\w+)/g, (_m, p: string) => {
    switch (p) {
      case "app":
        return app;
      case "id":
        if (path.includes("/cron/")) return String(s.ids.cronRun);
        if (path.includes("/runs/")) return s.ids.runId;
        if (path.includes("/tokens/")) return String(s.ids.token);
        return String(s.ids.deploy);
      case "job":
        return s.ids.job;
      case "version":
        return "v1";
      case "key":
        return "DATABASE_URL";
      case "hostname":
        return s.ids.hostname;
      case "email":
        return encodeURIComponent(s.ids.email);
      case "file":
        return "app.js";
      case "node":
        return s.ids.node;
      default:
        throw new Error(`no value for the path parameter ${p} of ${path}`);
    }
  });
}

/** The query a route needs to be well-formed. */
export function queryFor(method: string, path: string): string {
  if (method === "DELETE" && path.endsWith("/storage")) return "?path=/data";
  if (method === "DELETE" && path.endsWith("/review-apps")) return "?branch=feature-x";
  return "";
}
