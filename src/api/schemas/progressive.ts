import { z } from "@hono/zod-openapi";
import { DeployStatus } from "./apps.js";
import { Timestamp } from "./ids.js";

/** Request metrics per release and the canary's status (progressive delivery). */

export const Figures = z
  .strictObject({
    requests: z.int(),
    errors5xx: z.int(),
    connErrors: z.int(),
    errorRate: z.number().openapi({ description: "(5xx + connection errors) / (requests + connection errors)" }),
    rps: z.number(),
    rtimeAvgMs: z.number().nullable(),
    latencySamples: z.int(),
    p50Ms: z.number().nullable(),
    p95Ms: z.number().nullable(),
    p99Ms: z.number().nullable(),
  })
  .openapi("Figures");

export const MetricsView = z
  .strictObject({
    app: z.string(),
    intervalSec: z.number(),
    windowSec: z.int(),
    releases: z.array(
      z.strictObject({
        release: z.int(),
        live: z.boolean(),
        last1m: Figures,
        last5m: Figures,
        window: Figures,
        points: z.array(
          z.strictObject({
            t: Timestamp,
            requests: z.int(),
            errors5xx: z.int(),
            connErrors: z.int(),
            rps: z.number(),
            rtimeAvgMs: z.number().nullable(),
            p95Ms: z.number().nullable(),
          }),
        ),
      }),
    ),
  })
  .openapi("Metrics");

export const CanaryStatusView = z
  .strictObject({
    deployId: z.int(),
    state: z.enum(["starting", "running", "promoting", "succeeded", "aborted"]),
    paused: z.boolean(),
    release: z.int(),
    previousRelease: z.int(),
    steps: z.array(z.int()),
    stepIndex: z.int().openapi({ description: "0-based; -1 while the new containers start" }),
    percent: z.number(),
    weights: z.strictObject({
      new: z.int(),
      old: z.int(),
      newServers: z.array(z.string()),
      oldServers: z.array(z.string()),
    }),
    stepSec: z.number(),
    stepRequests: z.int().nullable(),
    heldSec: z.number().nullable(),
    nextStepInSec: z.number().nullable(),
    figures: z.strictObject({ new: Figures, old: Figures }).nullable(),
    verdict: z.string().nullable(),
    settings: z.strictObject({
      steps: z.array(z.int()),
      stepSec: z.number(),
      stepRequests: z.int().nullable(),
      maxErrorPct: z.number(),
      errorMarginPct: z.number(),
      latencyFactor: z.number(),
      latencyFloorMs: z.number(),
      minRequests: z.int(),
    }),
    startedAt: Timestamp,
    finishedAt: Timestamp.nullable(),
  })
  .openapi("CanaryStatus");

export const DeployStatusView = z
  .strictObject({
    app: z.string(),
    deploy: z.strictObject({ id: z.int(), status: DeployStatus, reason: z.string().nullable() }).nullable(),
    canary: CanaryStatusView.nullable(),
  })
  .openapi("DeployStatus");
