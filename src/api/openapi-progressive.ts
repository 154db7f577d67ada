/** OpenAPI paths of progressive delivery: request metrics, canary status and control (merged into openapi.ts). */
const json = (schema: object) => ({ content: { "application/json": { schema } } });
const ok = (schema: object, code = "200") => ({ [code]: { description: "OK", ...json(schema) } });
const errors = { default: { description: "Error", ...json({ $ref: "#/components/schemas/Error" }) } };
const appParam = { name: "app", in: "path", required: true, schema: { type: "string", pattern: "^[a-z][a-z0-9-]{0,29}$" } };

const figures = {
  type: "object",
  properties: {
    requests: { type: "integer" }, errors5xx: { type: "integer" }, connErrors: { type: "integer" }, errorRate: { type: "number" }, rps: { type: "number" },
    rtimeAvgMs: { type: ["number", "null"] }, latencySamples: { type: "integer" }, p50Ms: { type: ["number", "null"] }, p95Ms: { type: ["number", "null"] }, p99Ms: { type: ["number", "null"] },
  },
};

export const progressivePaths: Record<string, Record<string, object>> = {
  "/api/v1/apps/{app}/metrics": {
    parameters: [appParam] as unknown as object,
    get: {
      summary: "Request rate, 5xx and connection-error rates and latency per release, from the router's per-server counters (and its access log for percentiles), for the last hour",
      parameters: [{ name: "since", in: "query", schema: { type: "string", pattern: "^[0-9]{1,5}(s|m|h)?$" }, description: "window: 90, 30s, 10m, 1h (default 1h, at most 65m)" }],
      responses: {
        ...ok({
          type: "object",
          properties: {
            app: { type: "string" }, intervalSec: { type: "number" }, windowSec: { type: "integer" },
            releases: { type: "array", items: { type: "object", properties: { release: { type: "integer" }, live: { type: "boolean" }, last1m: figures, last5m: figures, window: figures, points: { type: "array", items: { type: "object" } } } } },
          },
        }),
        ...errors,
      },
    },
  },
};
