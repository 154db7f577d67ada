/** The OpenAPI 3.1 document of /api/v1 (kept beside the routes; a test checks every route is in it). */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { "application/json": { schema } } });
const ok = (schema: object, code = "200") => ({ [code]: { description: "OK", ...json(schema) } });
const errors = { default: { description: "Error", ...json(ref("Error")) } };
const appParam = { name: "app", in: "path", required: true, schema: { type: "string", pattern: "^[a-z][a-z0-9-]{0,29}$" } };
const idParam = { name: "id", in: "path", required: true, schema: { type: "integer" } };


export function openApiDocument(version: string): object {
  const paths: Record<string, Record<string, object>> = {
    "/api/v1/health": { get: { summary: "Liveness (no token needed)", security: [], responses: ok({ type: "object" }) } },
    "/api/v1/apps": {
      get: { summary: "List apps", responses: { ...ok({ type: "array", items: ref("App") }), ...errors } },
      post: { summary: "Create an app", requestBody: json({ type: "object", required: ["name"], properties: { name: { type: "string" } } }), responses: { ...ok(ref("App"), "201"), ...errors } },
    },
    "/api/v1/apps/{app}": {
      parameters: [appParam] as unknown as object,
      get: { summary: "Show an app", responses: { ...ok(ref("App")), ...errors } },
      patch: { summary: "Change app settings", requestBody: json({ type: "object", properties: { webReplicas: { type: "integer", minimum: 1, maximum: 50 } } }), responses: { ...ok(ref("App")), ...errors } },
      delete: { summary: "Destroy an app: containers, images, routes and records", responses: { ...ok({ type: "object" }), ...errors } },
    },
    "/api/v1/apps/{app}/builds": {
      parameters: [appParam] as unknown as object,
      post: {
        summary: "Upload source (tar or tar.gz with a Dockerfile) to build and deploy",
        parameters: [
          { name: "commit", in: "query", schema: { type: "string", pattern: "^[0-9a-f]{40}$" } },
          { name: "ref", in: "query", schema: { type: "string" } },
        ],
        requestBody: { content: { "application/x-tar": { schema: { type: "string", format: "binary" } }, "application/gzip": { schema: { type: "string", format: "binary" } } } },
        responses: { ...ok(ref("Deploy"), "202"), ...errors },
      },
    },
    "/api/v1/apps/{app}/deploys": { parameters: [appParam] as unknown as object, get: { summary: "List deploys, newest first", responses: { ...ok({ type: "array", items: ref("Deploy") }), ...errors } } },
    "/api/v1/apps/{app}/deploys/{id}": { parameters: [appParam, idParam] as unknown as object, get: { summary: "Show a deploy with its steps", responses: { ...ok(ref("Deploy")), ...errors } } },
    "/api/v1/apps/{app}/deploys/{id}/log": {
      parameters: [appParam, idParam] as unknown as object,
      get: { summary: "A deploy's log; with follow=1 it streams until the deploy ends", parameters: [{ name: "follow", in: "query", schema: { type: "string", enum: ["0", "1"] } }], responses: { "200": { description: "text/plain lines", content: { "text/plain": { schema: { type: "string" } } } }, ...errors } },
    },
    "/api/v1/apps/{app}/releases": { parameters: [appParam] as unknown as object, get: { summary: "List releases, newest first", responses: { ...ok({ type: "array", items: ref("Release") }), ...errors } } },
    "/api/v1/apps/{app}/ps": { parameters: [appParam] as unknown as object, get: { summary: "The app's containers", responses: { ...ok({ type: "array", items: ref("Container") }), ...errors } } },
    "/api/v1/apps/{app}/logs": {
      parameters: [appParam] as unknown as object,
      get: {
        summary: "Container logs, prefixed with the container name",
        parameters: [{ name: "tail", in: "query", schema: { type: "integer", minimum: 0, maximum: 10000 } }, { name: "follow", in: "query", schema: { type: "string", enum: ["0", "1"] } }],
        responses: { "200": { description: "text/plain lines", content: { "text/plain": { schema: { type: "string" } } } }, ...errors },
      },
    },
    "/api/v1/apps/{app}/domains": {
      parameters: [appParam] as unknown as object,
      get: { summary: "The app's hostnames", responses: { ...ok({ type: "array", items: ref("Domain") }), ...errors } },
      post: { summary: "Add a custom domain", requestBody: json({ type: "object", required: ["hostname"], properties: { hostname: { type: "string" } } }), responses: { ...ok(ref("Domain"), "201"), ...errors } },
    },
    "/api/v1/apps/{app}/domains/{hostname}": {
      parameters: [appParam, { name: "hostname", in: "path", required: true, schema: { type: "string" } }] as unknown as object,
      delete: { summary: "Remove a custom domain", responses: { ...ok({ type: "object" }), ...errors } },
    },
  };
  return {
    openapi: "3.1.0",
    info: { title: "Yadokari API", version },
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        Error: { type: "object", required: ["error"], properties: { error: { type: "object", required: ["code", "message", "hint"], properties: { code: { type: "string" }, message: { type: "string" }, hint: { type: "string" } } } } },
        App: { type: "object", properties: { name: { type: "string" }, createdAt: { type: "string" }, webReplicas: { type: "integer" }, liveRelease: { type: ["integer", "null"] }, status: { enum: ["new", "running", "deploying", "failed"] }, urls: { type: "array", items: { type: "string" } }, domains: { type: "array", items: { type: "string" } }, gitUrl: { type: "string" } } },
        Release: { type: "object", properties: { version: { type: "integer" }, image: { type: "string" }, commit: { type: ["string", "null"] }, description: { type: "string" }, createdAt: { type: "string" }, processes: { type: "object" }, live: { type: "boolean" } } },
        Deploy: { type: "object", properties: { id: { type: "integer" }, app: { type: "string" }, status: { enum: ["queued", "building", "deploying", "succeeded", "failed"] }, source: { enum: ["tar", "git", "config", "rollback", "restart"] }, commit: { type: ["string", "null"] }, ref: { type: ["string", "null"] }, releaseVersion: { type: ["integer", "null"] }, reason: { type: ["string", "null"] }, containerLog: { type: ["string", "null"] }, steps: { type: "array", items: { type: "object" } }, createdAt: { type: "string" }, finishedAt: { type: ["string", "null"] }, urls: { type: "array", items: { type: "string" } } } },
        Container: { type: "object", properties: { id: { type: "string" }, name: { type: "string" }, process: { type: "string" }, release: { type: "integer" }, state: { type: "string" }, status: { type: "string" }, address: { type: ["string", "null"] }, startedAt: { type: ["string", "null"] }, routed: { type: "boolean" } } },
        Domain: { type: "object", properties: { hostname: { type: "string" }, kind: { enum: ["default", "custom"] } } },
      },
    },
  };
}
