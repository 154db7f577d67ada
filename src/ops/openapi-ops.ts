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
        version: nullable("string"),
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

const check = {
  type: "object",
  properties: {
    name: { type: "string", description: "docker, router, disk, clock, ports, dns, certificates, apps, cron, backups" },
    status: { enum: ["ok", "warn", "fail"] },
    detail: { type: "string" },
    fix: { type: "string", description: "what to do (empty when ok)" },
  },
};
const record = {
  type: "object",
  properties: {
    ok: { type: "boolean" },
    at: { type: "string" },
    target: nullable("string"),
    bytes: { type: "integer" },
    durationMs: { type: "integer" },
    withImages: { type: "boolean" },
    encrypted: { type: "boolean" },
    trigger: { enum: ["manual", "schedule"] },
    message: { type: "string" },
  },
};
const schedule = {
  type: "object",
  properties: {
    everyHours: { type: "number" },
    keep: { type: "integer" },
    to: { type: "string" },
    withImages: { type: "boolean" },
    passphraseFile: nullable("string"),
  },
};

export const opsPaths: Record<string, object> = {
  "/api/v1/doctor": {
    get: {
      summary: "Checks of the host with what to do about each problem; ok is false when a check fails (admins)",
      responses: {
        ...ok({ type: "object", properties: { ok: { type: "boolean" }, checks: { type: "array", items: check } } }),
        ...errors,
      },
    },
  },
  "/api/v1/backups": {
    get: {
      summary: "The backup schedule and the last backups (admins)",
      responses: {
        ...ok({
          type: "object",
          properties: {
            schedule: { ...schedule, type: ["object", "null"] },
            history: { type: "array", items: record },
          },
        }),
        ...errors,
      },
    },
    post: {
      summary:
        "Back up the control plane now: store (online backup API), master key, admin token, router certificates, git sources, optionally live images; encrypted with a passphrase file (admins)",
      requestBody: json({
        type: "object",
        properties: {
          to: {
            type: "string",
            description: "absolute file or directory path on the server's host, or s3://bucket/prefix",
          },
          withImages: { type: "boolean" },
          passphraseFile: { type: "string", description: "absolute path of a file on the server's host" },
        },
      }),
      responses: {
        ...ok(
          { ...record, properties: { ...record.properties, apps: { type: "array", items: { type: "object" } } } },
          "201",
        ),
        ...errors,
      },
    },
  },
  "/api/v1/backups/schedule": {
    put: {
      summary: "Back up on a schedule, keeping the newest `keep` at the target (admins)",
      requestBody: json({
        type: "object",
        required: ["to"],
        properties: {
          every: { type: "string", description: "6h, 1d, 90m (15m to 30d)" },
          keep: { type: "integer", minimum: 1, maximum: 1000 },
          to: { type: "string" },
          withImages: { type: "boolean" },
          passphraseFile: { type: "string" },
        },
      }),
      responses: { ...ok(schedule), ...errors },
    },
    delete: { summary: "No more scheduled backups (admins)", responses: { ...ok({ type: "object" }), ...errors } },
  },
  "/api/v1/status": {
    get: {
      summary: "What runs: server, router, Docker, versions, apps serving / expected, the cold start's time (admins)",
      responses: { ...ok(status), ...errors },
    },
  },
};
