import { Hono } from "hono";
import type { ApiServices } from "../services.js";
import { CanaryControl } from "../../canary/control.js";

/** The app's canary: status, pause, resume, promote (skip to 100 %), abort. */
export function canaryRoutes(s: ApiServices): Hono {
  const r = new Hono();
  const control = new CanaryControl({
    store: s.ctx.store,
    canaries: s.ctx.canaries,
    metrics: s.metrics,
    now: () => s.ctx.clock.now().getTime(),
  });
  r.get("/:app/deploy-status", (c) => {
    const app = s.apps.get(c.req.param("app"));
    const last = s.ctx.store.listDeploys(app.name, 1)[0] ?? null;
    return c.json({
      app: app.name,
      deploy: last ? { id: last.id, status: last.status, reason: last.reason } : null,
      canary: control.status(app.name),
    });
  });
  for (const action of ["pause", "resume", "promote", "abort"] as const) {
    r.post(`/:app/deploy/${action}`, (c) => c.json(control[action](s.apps.get(c.req.param("app")).name)));
  }
  return r;
}
