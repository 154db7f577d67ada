/** OpenAPI paths of Yadokari's own operation: status, doctor, backups (merged into src/api/openapi.ts). */
const json = (schema: object) => ({ content: { "application/json": { schema } } });
const ok = (schema: object, code = "200") => ({ [code]: { description: "OK", ...json(schema) } });
const errors = { default: { description: "Error", ...json({ $ref: "#/components/schemas/Error" }) } };
const nullable = (type: string) => ({ type: [type, "null"] });

const status = {
  type: "object",
  properties: {
    server: {
      type: "object",
      properties: {
        pid: { type: "integer" },
        version: { type: "string" },
        schemaVersion: { type: "integer" },
        startedAt: { type: "string" },
        uptimeSec: { type: "integer" },
        dataDir: { type: "string" },
        draining: { type: "boolean", description: "stopping: changes get 503 shutting_down" },
      },
    },
    router: {
      type: "object",
      properties: {
        pid: nullable("integer"),
        running: { type: "boolean" },
        workerPid: nullable("integer"),
        uptimeSec: nullable("integer"),
      },
    },
    docker: {
      type: "object",
      properties: {
        reachable: { type: "boolean" },
        version: nullable("string"),
        apiVersion: nullable("string"),
        error: nullable("string"),
      },
    },
    apps: {
      type: "object",
      properties: {
        expected: { type: "integer", description: "apps with a live release that want containers" },
        serving: {
          type: "integer",
          description: "of those, the ones whose live release runs at its formation, routed",
        },
        notServing: {
          type: "array",
          items: {
            type: "object",
            properties: { app: { type: "string" }, missing: { type: "array", items: { type: "string" } } },
          },
        },
      },
    },
    coldStart: {
      type: "object",
      description: "from the server's start until every app served",
      properties: { expected: nullable("integer"), durationMs: nullable("integer"), finishedAt: nullable("string") },
    },
  },
};

export const opsPaths: Record<string, object> = {
  "/api/v1/status": {
    get: {
      summary: "What runs: server, router, Docker, versions, apps serving / expected, the cold start's time (admins)",
      responses: { ...ok(status), ...errors },
    },
  },
};
