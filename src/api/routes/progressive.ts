import { z } from "@hono/zod-openapi";
import { access } from "../../accounts/policy.js";
import { CanaryControl } from "../../canary/control.js";
import { metricsView } from "../../metrics/view.js";
import { windowSeconds } from "../../metrics/window.js";
import type { ApiRouter } from "../app.js";
import type { ApiServices } from "../services.js";
import { defineRoute } from "../route.js";
import { json } from "../schemas/common.js";
import { AppName } from "../schemas/ids.js";
import { CanaryStatusView, DeployStatusView, MetricsView } from "../schemas/progressive.js";

const AppParams = z.strictObject({ app: AppName });

const metrics = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/metrics",
  summary:
    "Request rate, 5xx and connection-error rates and latency per release, from the router's per-server counters (and its access log for percentiles)",
  access: access.app("viewer"),
  request: {
    params: AppParams,
    query: z.strictObject({
      since: z
        .string()
        .refine((t) => windowSeconds(t) !== null, {
          error: "expected a window such as 90, 30s, 10m or 1h, at most 65m",
        })
        .optional()
        .openapi({ description: "the window: 90, 30s, 10m, 1h (default 1h, at most 65m)" }),
    }),
  },
  responses: { 200: json(MetricsView) },
});

const deployStatus = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/deploy-status",
  summary:
    "The app's last deploy and its canary (current or last): step, weights, live figures of both releases, time to the next step",
  access: access.app("viewer"),
  request: { params: AppParams },
  responses: { 200: json(DeployStatusView) },
});

const CONTROL_SUMMARY = {
  pause: "Hold the canary at its current step (past the step's duration) until resumed",
  resume: "Resume a paused canary; the step's clock does not count the pause",
  promote: "Skip the canary's remaining steps: the new release takes all traffic now",
  abort: "Abort the canary: the old release takes all traffic back, the new one is stopped",
} as const;

const control = (action: keyof typeof CONTROL_SUMMARY) =>
  defineRoute({
    method: "post",
    path: `/api/v1/apps/{app}/deploy/${action}`,
    summary: CONTROL_SUMMARY[action],
    access: access.app("deployer"),
    request: { params: AppParams },
    responses: { 200: json(CanaryStatusView) },
    errors: [409],
  });

/** Request metrics per release, the canary's status and its controls. */
export function registerProgressive(r: ApiRouter, s: ApiServices): void {
  const canary = new CanaryControl({
    store: s.ctx.store,
    canaries: s.ctx.canaries,
    metrics: s.metrics,
    now: () => s.ctx.clock.now().getTime(),
  });

  r.openapi(metrics, (c) => {
    const app = s.apps.get(c.req.valid("param").app);
    const live = app.liveReleaseId ? (s.ctx.store.getRelease(app.liveReleaseId)?.version ?? null) : null;
    return c.json(
      metricsView(
        s.metrics.series,
        app.name,
        live,
        s.ctx.clock.now().getTime(),
        windowSeconds(c.req.valid("query").since)!,
        s.metrics.opts.intervalMs / 1000,
      ),
      200,
    );
  });

  r.openapi(deployStatus, (c) => {
    const app = s.apps.get(c.req.valid("param").app);
    const last = s.ctx.store.listDeploys(app.name, 1)[0] ?? null;
    return c.json(
      {
        app: app.name,
        deploy: last ? { id: last.id, status: last.status, reason: last.reason } : null,
        canary: canary.status(app.name),
      },
      200,
    );
  });

  for (const action of ["pause", "resume", "promote", "abort"] as const)
    r.openapi(control(action), (c) => c.json(canary[action](s.apps.get(c.req.valid("param").app).name), 200));
}
