import { Hono } from "hono";
import { AppError } from "../../errors/app-error.js";
import type { ApiServices } from "../services.js";
import { metricsView } from "../../metrics/view.js";
import { windowSeconds } from "../../metrics/window.js";

/** Seconds ("90"), or 30s / 10m / 1h; at most the hour (and a little) that is kept. */
export function parseWindow(text: string | undefined): number {
  const sec = windowSeconds(text);
  if (sec === null)
    throw new AppError(
      "invalid_request",
      `since must be a window such as 90, 30s, 10m or 1h, at most 65m; got ${JSON.stringify((text ?? "").slice(0, 20))}`,
    );
  return sec;
}

/** Request metrics per release, from the router's counters. */
export function metricsRoutes(s: ApiServices): Hono {
  const r = new Hono();
  r.get("/:app/metrics", (c) => {
    const app = s.apps.get(c.req.param("app"));
    const live = app.liveReleaseId ? (s.ctx.store.getRelease(app.liveReleaseId)?.version ?? null) : null;
    return c.json(
      metricsView(
        s.metrics.series,
        app.name,
        live,
        Date.now(),
        parseWindow(c.req.query("since")),
        s.metrics.opts.intervalMs / 1000,
      ),
    );
  });
  return r;
}
