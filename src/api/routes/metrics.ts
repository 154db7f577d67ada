import { Hono } from "hono";
import { AppError } from "../../errors/app-error.js";
import type { ApiServices } from "../services.js";
import { metricsView } from "../../metrics/view.js";

/** Seconds ("90"), or 30s / 10m / 1h; at most the hour (and a little) that is kept. */
export function parseWindow(text: string | undefined): number {
  if (text === undefined) return 3600;
  const m = /^(\d{1,5})(s|m|h)?$/.exec(text);
  const sec = m ? Number(m[1]) * (m[2] === "h" ? 3600 : m[2] === "m" ? 60 : 1) : NaN;
  if (!(sec >= 1 && sec <= 3900))
    throw new AppError(
      "invalid_request",
      `since must be a window such as 90, 30s, 10m or 1h, at most 65m; got ${JSON.stringify(text.slice(0, 20))}`,
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
