/** OpenAPI paths of the swarm's nodes and the registry setting (merged into src/api/openapi.ts). */
const json = (schema: object) => ({ content: { "application/json": { schema } } });
const ok = (schema: object) => ({ "200": { description: "OK", ...json(schema) } });
const errors = { default: { description: "Error", ...json({ $ref: "#/components/schemas/Error" }) } };
const nodeParam = {
  name: "node",
  in: "path",
  required: true,
  description: "a node id, a unique id prefix (3+ characters) or a unique hostname",
  schema: { type: "string" },
};

const node = {
  type: "object",
  properties: {
    id: { type: "string" },
    hostname: { type: "string" },
    address: { type: "string" },
    role: { enum: ["manager", "worker"] },
    state: { type: "string", description: "ready, down, unknown, disconnected" },
    availability: { enum: ["active", "pause", "drain"] },
    leader: { type: "boolean" },
    admitted: { type: "boolean", description: "passed the admission check: takes placements" },
    labels: { type: "object", additionalProperties: { type: "string" } },
    cpus: { type: "number" },
    memoryBytes: { type: "integer" },
    os: { type: "string" },
    arch: { type: "string" },
    engineVersion: { type: "string" },
    units: { type: "object", additionalProperties: { type: "integer" }, description: "running units per app" },
  },
};

const registryView = {
  type: "object",
  properties: {
    registry: {
      type: ["object", "null"],
      properties: {
        url: { type: "string" },
        host: { type: "string" },
        username: { type: ["string", "null"] },
        hasPassword: { type: "boolean" },
      },
    },
  },
};

const nodeAction = (summary: string) => ({
  post: { summary, parameters: [nodeParam], responses: { ...ok(node), ...errors } },
});

export const clusterPaths: Record<string, Record<string, object>> = {
  "/api/v1/cluster/nodes": {
    get: { summary: "The swarm's nodes (admins)", responses: { ...ok({ type: "array", items: node }), ...errors } },
  },
  "/api/v1/cluster/nodes/{node}": {
    get: { summary: "One node", parameters: [nodeParam], responses: { ...ok(node), ...errors } },
    delete: {
      summary: "Remove a node that is down (force: any worker)",
      parameters: [nodeParam, { name: "force", in: "query", schema: { enum: ["true", "false"] } }],
      responses: { ...ok({ type: "object", properties: { removed: { type: "string" } } }), ...errors },
    },
  },
  "/api/v1/cluster/nodes/{node}/labels": {
    patch: {
      summary: "Set (key=value) or remove (key-) node labels",
      parameters: [nodeParam],
      requestBody: json({
        type: "object",
        required: ["labels"],
        properties: { labels: { type: "array", items: { type: "string" } } },
      }),
      responses: { ...ok(node), ...errors },
    },
  },
  "/api/v1/cluster/nodes/{node}/drain": nodeAction("Drain a node: no new units, its units rescheduled elsewhere"),
  "/api/v1/cluster/nodes/{node}/activate": nodeAction("Let a drained or paused node take units again"),
  "/api/v1/cluster/nodes/{node}/admit": nodeAction(
    "Run the admission check (overlay traffic, a full-size packet, a 1 MiB transfer) and admit the node to placements",
  ),
  "/api/v1/cluster/join-command": {
    get: {
      summary: "The command a new host runs to join, the ports to open, and the registry CA to trust",
      parameters: [{ name: "role", in: "query", schema: { enum: ["worker", "manager"] } }],
      responses: {
        ...ok({
          type: "object",
          properties: {
            role: { enum: ["worker", "manager"] },
            command: { type: "string" },
            argv: { type: "array", items: { type: "string" } },
            managerAddr: { type: "string" },
            ports: {
              type: "array",
              items: { type: "object", properties: { port: { type: "string" }, why: { type: "string" } } },
            },
            registry: {
              type: ["object", "null"],
              properties: { host: { type: "string" }, caPath: { type: "string" }, caPem: { type: "string" } },
            },
          },
        }),
        ...errors,
      },
    },
  },
  "/api/v1/cluster/registry": {
    get: {
      summary: "The team's own registry, if set (never its password)",
      responses: { ...ok(registryView), ...errors },
    },
    put: {
      summary: "Push and pull app images through a team's own registry (https), credentials stored encrypted",
      requestBody: json({
        type: "object",
        required: ["url"],
        properties: { url: { type: "string" }, username: { type: "string" }, password: { type: "string" } },
      }),
      responses: { ...ok(registryView), ...errors },
    },
    delete: { summary: "Back to Yadokari's own registry", responses: { ...ok(registryView), ...errors } },
  },
};
