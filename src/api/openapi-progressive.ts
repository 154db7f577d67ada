/** OpenAPI paths of progressive delivery: request metrics, canary status and control (merged into openapi.ts). */
const json = (schema: object) => ({ content: { "application/json": { schema } } });
const ok = (schema: object, code = "200") => ({ [code]: { description: "OK", ...json(schema) } });
const errors = { default: { description: "Error", ...json({ $ref: "#/components/schemas/Error" }) } };
const appParam = {
  name: "app",
  in: "path",
  required: true,
  schema: { type: "string", pattern: "^[a-z][a-z0-9-]{0,29}$" },
};

const figures = {
  type: "object",
  properties: {
    requests: { type: "integer" },
    errors5xx: { type: "integer" },
    connErrors: { type: "integer" },
    errorRate: { type: "number" },
    rps: { type: "number" },
    rtimeAvgMs: { type: ["number", "null"] },
    latencySamples: { type: "integer" },
    p50Ms: { type: ["number", "null"] },
    p95Ms: { type: ["number", "null"] },
    p99Ms: { type: ["number", "null"] },
  },
};

const canaryStatus = {
  type: "object",
  properties: {
    deployId: { type: "integer" },
    state: { enum: ["starting", "running", "promoting", "succeeded", "aborted"] },
    paused: { type: "boolean" },
    release: { type: "integer" },
    previousRelease: { type: "integer" },
    steps: { type: "array", items: { type: "integer" } },
    stepIndex: { type: "integer" },
    percent: { type: "number" },
    weights: {
      type: "object",
      properties: {
        new: { type: "integer" },
        old: { type: "integer" },
        newServers: { type: "array", items: { type: "string" } },
        oldServers: { type: "array", items: { type: "string" } },
      },
    },
    stepSec: { type: "number" },
    stepRequests: { type: ["integer", "null"] },
    heldSec: { type: ["number", "null"] },
    nextStepInSec: { type: ["number", "null"] },
    figures: { oneOf: [{ type: "null" }, { type: "object", properties: { new: figures, old: figures } }] },
    verdict: { type: ["string", "null"] },
    settings: { type: "object" },
    startedAt: { type: "string" },
    finishedAt: { type: ["string", "null"] },
  },
};

const control = (what: string) => ({
  parameters: [appParam] as unknown as object,
  post: { summary: what, responses: { ...ok(canaryStatus), ...errors } },
});

export const progressivePaths: Record<string, Record<string, object>> = {
  "/api/v1/apps/{app}/metrics": {
    parameters: [appParam] as unknown as object,
    get: {
      summary:
        "Request rate, 5xx and connection-error rates and latency per release, from the router's per-server counters (and its access log for percentiles), for the last hour",
      parameters: [
        {
          name: "since",
          in: "query",
          schema: { type: "string", pattern: "^[0-9]{1,5}(s|m|h)?$" },
          description: "window: 90, 30s, 10m, 1h (default 1h, at most 65m)",
        },
      ],
      responses: {
        ...ok({
          type: "object",
          properties: {
            app: { type: "string" },
            intervalSec: { type: "number" },
            windowSec: { type: "integer" },
            releases: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  release: { type: "integer" },
                  live: { type: "boolean" },
                  last1m: figures,
                  last5m: figures,
                  window: figures,
                  points: { type: "array", items: { type: "object" } },
                },
              },
            },
          },
        }),
        ...errors,
      },
    },
  },
  "/api/v1/apps/{app}/deploy-status": {
    parameters: [appParam] as unknown as object,
    get: {
      summary:
        "The app's last deploy and its canary (current or last): step, weights, live figures of both releases, time to the next step",
      responses: {
        ...ok({
          type: "object",
          properties: {
            app: { type: "string" },
            deploy: { type: ["object", "null"] },
            canary: { oneOf: [canaryStatus, { type: "null" }] },
          },
        }),
        ...errors,
      },
    },
  },
  "/api/v1/apps/{app}/deploy/pause": control(
    "Pause the canary at its step (the analysis still aborts on bad numbers); 409 no_canary without one",
  ),
  "/api/v1/apps/{app}/deploy/resume": control("Resume a paused canary; the step's clock does not count the pause"),
  "/api/v1/apps/{app}/deploy/promote": control(
    "Skip the canary's remaining steps: 100 % to the new release, then the old one retires",
  ),
  "/api/v1/apps/{app}/deploy/abort": control(
    "Abort the canary: the new release's weight goes to 0 at once, its containers drain and are removed, the deploy fails",
  ),
};

const strategyProps = {
  strategy: { enum: ["rolling", "canary", "blue-green"] },
  idleSec: { type: "number", minimum: 0 },
  sticky: { type: "boolean" },
  steps: { oneOf: [{ type: "array", items: { type: "integer", minimum: 1, maximum: 100 } }, { type: "string" }] },
  stepSec: { type: "number", minimum: 1 },
  stepRequests: { type: "integer", minimum: 1 },
  maxErrorPct: { type: "number" },
  errorMarginPct: { type: "number" },
  latencyFactor: { type: "number", minimum: 1 },
  latencyFloorMs: { type: "number" },
  minRequests: { type: "integer", minimum: 1 },
};

/** Adds the progressive-delivery paths, the builds' `strategy` parameter and the strategy settings to the document's paths. */
export function extendWithProgressive(paths: Record<string, Record<string, any>>): void {
  Object.assign(paths, progressivePaths);
  const build = paths["/api/v1/apps/{app}/builds"]?.post;
  if (build)
    build.parameters = [
      ...(build.parameters ?? []),
      {
        name: "strategy",
        in: "query",
        schema: { enum: ["rolling", "canary", "blue-green"] },
        description: "this deploy's strategy (default: the app's deploy settings)",
      },
    ];
  const settings = paths["/api/v1/apps/{app}/deploy-settings"]?.patch;
  const schema = settings?.requestBody?.content?.["application/json"]?.schema;
  if (schema) {
    schema.properties = { ...schema.properties, ...strategyProps };
    settings.summary = `${settings.summary}; the strategy (rolling, canary) and the canary's steps, step duration and abort thresholds`;
  }
}
