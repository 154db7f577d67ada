import { extendWithProgressive } from "./openapi-progressive.js";
import { certPaths } from "../certs/openapi.js";
import { clusterPaths } from "../cluster/openapi-cluster.js";
import { opsPaths } from "../ops/openapi-ops.js";
/** The OpenAPI 3.1 document of /api/v1 (kept beside the routes; a test checks every route is in it). */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { "application/json": { schema } } });
const ok = (schema: object, code = "200") => ({ [code]: { description: "OK", ...json(schema) } });
const errors = { default: { description: "Error", ...json(ref("Error")) } };
const appParam = {
  name: "app",
  in: "path",
  required: true,
  schema: { type: "string", pattern: "^[a-z][a-z0-9-]{0,29}$" },
};
const idParam = { name: "id", in: "path", required: true, schema: { type: "integer" } };
const runIdParam = { name: "id", in: "path", required: true, schema: { type: "string", pattern: "^[0-9a-f]{64}$" } };
const jobParam = {
  name: "job",
  in: "path",
  required: true,
  schema: { type: "string", pattern: "^[a-z0-9][a-z0-9-]{0,62}$" },
};

export function openApiDocument(version: string): object {
  const paths: Record<string, Record<string, object>> = {
    "/api/v1/health": {
      get: { summary: "Liveness (no token needed)", security: [], responses: ok({ type: "object" }) },
    },
    "/api/v1/apps": {
      get: { summary: "List apps", responses: { ...ok({ type: "array", items: ref("App") }), ...errors } },
      post: {
        summary: "Create an app",
        requestBody: json({ type: "object", required: ["name"], properties: { name: { type: "string" } } }),
        responses: { ...ok(ref("App"), "201"), ...errors },
      },
    },
    "/api/v1/apps/{app}": {
      parameters: [appParam] as unknown as object,
      get: { summary: "Show an app", responses: { ...ok(ref("App")), ...errors } },
      patch: {
        summary: "Change app settings",
        requestBody: json({
          type: "object",
          properties: { webReplicas: { type: "integer", minimum: 1, maximum: 50 } },
        }),
        responses: { ...ok(ref("App")), ...errors },
      },
      delete: {
        summary: "Destroy an app: containers, images, routes and records",
        responses: { ...ok({ type: "object" }), ...errors },
      },
    },
    "/api/v1/apps/{app}/builds": {
      parameters: [appParam] as unknown as object,
      post: {
        summary: "Upload source (tar or tar.gz with a Dockerfile) to build and deploy",
        parameters: [
          { name: "commit", in: "query", schema: { type: "string", pattern: "^[0-9a-f]{40}$" } },
          { name: "ref", in: "query", schema: { type: "string" } },
        ],
        requestBody: {
          content: {
            "application/x-tar": { schema: { type: "string", format: "binary" } },
            "application/gzip": { schema: { type: "string", format: "binary" } },
          },
        },
        responses: { ...ok(ref("Deploy"), "202"), ...errors },
      },
    },
    "/api/v1/apps/{app}/deploys": {
      parameters: [appParam] as unknown as object,
      get: {
        summary: "List deploys, newest first",
        responses: { ...ok({ type: "array", items: ref("Deploy") }), ...errors },
      },
    },
    "/api/v1/apps/{app}/deploys/{id}": {
      parameters: [appParam, idParam] as unknown as object,
      get: { summary: "Show a deploy with its steps", responses: { ...ok(ref("Deploy")), ...errors } },
    },
    "/api/v1/apps/{app}/deploys/{id}/log": {
      parameters: [appParam, idParam] as unknown as object,
      get: {
        summary: "A deploy's log; with follow=1 it streams until the deploy ends",
        parameters: [{ name: "follow", in: "query", schema: { type: "string", enum: ["0", "1"] } }],
        responses: {
          "200": { description: "text/plain lines", content: { "text/plain": { schema: { type: "string" } } } },
          ...errors,
        },
      },
    },
    "/api/v1/apps/{app}/releases": {
      parameters: [appParam] as unknown as object,
      get: {
        summary: "List releases, newest first",
        responses: { ...ok({ type: "array", items: ref("Release") }), ...errors },
      },
    },
    "/api/v1/apps/{app}/ps": {
      parameters: [appParam] as unknown as object,
      get: {
        summary: "The app's containers",
        responses: { ...ok({ type: "array", items: ref("Container") }), ...errors },
      },
    },
    "/api/v1/apps/{app}/logs": {
      parameters: [appParam] as unknown as object,
      get: {
        summary: "Container logs, prefixed with the container name",
        parameters: [
          { name: "tail", in: "query", schema: { type: "integer", minimum: 0, maximum: 10000 } },
          { name: "follow", in: "query", schema: { type: "string", enum: ["0", "1"] } },
        ],
        responses: {
          "200": { description: "text/plain lines", content: { "text/plain": { schema: { type: "string" } } } },
          ...errors,
        },
      },
    },
    "/api/v1/apps/{app}/formation": {
      parameters: [appParam] as unknown as object,
      get: {
        summary: "Process types of the live release with counts, running containers, restarts and crash loops (yk ps)",
        responses: { ...ok({ type: "object" }), ...errors },
      },
      patch: {
        summary: "Scale process types (yk ps:scale web=2 worker=1)",
        requestBody: json({ type: "object", additionalProperties: { type: "integer", minimum: 0, maximum: 50 } }),
        responses: { ...ok({ type: "object" }), ...errors },
      },
    },
    "/api/v1/apps/{app}/ps/restart": {
      parameters: [appParam] as unknown as object,
      post: {
        summary: "Replace containers (all, or one type) with zero downtime",
        requestBody: json({ type: "object", properties: { type: { type: "string" } } }),
        responses: { ...ok(ref("Deploy"), "202"), ...errors },
      },
    },
    "/api/v1/apps/{app}/ps/stop": {
      parameters: [appParam] as unknown as object,
      post: { summary: "Stop every process of the app", responses: { ...ok({ type: "object" }), ...errors } },
    },
    "/api/v1/apps/{app}/ps/start": {
      parameters: [appParam] as unknown as object,
      post: { summary: "Start a stopped app at its formation", responses: { ...ok({ type: "object" }), ...errors } },
    },
    "/api/v1/apps/{app}/deploy-settings": {
      parameters: [appParam] as unknown as object,
      get: { summary: "Rolling deploy settings", responses: { ...ok({ type: "object" }), ...errors } },
      patch: {
        summary: "Set maxSurge (count or percentage) and pauseSec",
        requestBody: json({
          type: "object",
          properties: { maxSurge: { oneOf: [{ type: "integer" }, { type: "string" }] }, pauseSec: { type: "number" } },
        }),
        responses: { ...ok({ type: "object" }), ...errors },
      },
    },
    "/api/v1/apps/{app}/releases/{version}": {
      parameters: [
        appParam,
        { name: "version", in: "path", required: true, schema: { type: "string", pattern: "^v?[0-9]+$" } },
      ] as unknown as object,
      get: {
        summary: "One release: image, config names, formation, release command, cron",
        responses: { ...ok(ref("Release")), ...errors },
      },
    },
    "/api/v1/apps/{app}/rollback": {
      parameters: [appParam] as unknown as object,
      post: {
        summary: "New release copying vN (default: the previous) and deploy it",
        requestBody: json({ type: "object", properties: { version: { type: ["integer", "string"] } } }),
        responses: { ...ok(ref("Deploy"), "202"), ...errors },
      },
    },
    "/api/v1/apps/{app}/domains": {
      parameters: [appParam] as unknown as object,
      get: { summary: "The app's hostnames", responses: { ...ok({ type: "array", items: ref("Domain") }), ...errors } },
      post: {
        summary: "Add a custom domain",
        requestBody: json({ type: "object", required: ["hostname"], properties: { hostname: { type: "string" } } }),
        responses: { ...ok(ref("Domain"), "201"), ...errors },
      },
    },
    "/api/v1/apps/{app}/domains/{hostname}": {
      parameters: [
        appParam,
        { name: "hostname", in: "path", required: true, schema: { type: "string" } },
      ] as unknown as object,
      delete: { summary: "Remove a custom domain", responses: { ...ok({ type: "object" }), ...errors } },
    },
    "/api/v1/apps/{app}/config": {
      parameters: [appParam] as unknown as object,
      get: {
        summary: "The app's config vars, KEY: value",
        responses: { ...ok({ type: "object", additionalProperties: { type: "string" } }), ...errors },
      },
      patch: {
        summary:
          "Set and unset config vars in one change; with restart (default true) and a live release, a new release is deployed with zero downtime",
        requestBody: json({
          type: "object",
          properties: {
            set: { type: "object", additionalProperties: { type: "string", maxLength: 65536 } },
            unset: { type: "array", items: { type: "string" } },
            restart: { type: "boolean", default: true },
          },
        }),
        responses: {
          ...ok({
            type: "object",
            properties: {
              config: { type: "object", additionalProperties: { type: "string" } },
              deploy: { oneOf: [ref("Deploy"), { type: "null" }] },
            },
          }),
          ...errors,
        },
      },
    },
    "/api/v1/apps/{app}/config/{key}": {
      parameters: [
        appParam,
        {
          name: "key",
          in: "path",
          required: true,
          schema: { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_]{0,254}$" },
        },
      ] as unknown as object,
      get: {
        summary: "One config var (404 when unset)",
        responses: {
          ...ok({ type: "object", properties: { key: { type: "string" }, value: { type: "string" } } }),
          ...errors,
        },
      },
    },
    "/api/v1/config/rotate-key": {
      post: {
        summary: "Rotate the master key: re-encrypt every config var and release snapshot, then drop the old key",
        responses: {
          ...ok({ type: "object", properties: { resealed: { type: "integer" }, keyId: { type: "string" } } }),
          ...errors,
        },
      },
    },
    "/api/v1/apps/{app}/cron": {
      parameters: [appParam] as unknown as object,
      get: {
        summary: "The live release's cron jobs with their next and last runs",
        responses: { ...ok({ type: "array", items: ref("CronJob") }), ...errors },
      },
    },
    "/api/v1/apps/{app}/cron/{job}/run": {
      parameters: [appParam, jobParam] as unknown as object,
      post: {
        summary: "Start a run of the job now (409 cron_running while one runs under concurrency_policy forbid)",
        responses: { ...ok(ref("CronRun"), "202"), ...errors },
      },
    },
    "/api/v1/apps/{app}/cron/{job}/runs": {
      parameters: [appParam, jobParam] as unknown as object,
      get: {
        summary: "The job's last runs, newest first, with their output",
        responses: { ...ok({ type: "array", items: ref("CronRun") }), ...errors },
      },
    },
    "/api/v1/apps/{app}/cron/{job}/runs/{id}": {
      parameters: [appParam, jobParam, idParam] as unknown as object,
      get: { summary: "One run", responses: { ...ok(ref("CronRun")), ...errors } },
    },
    "/api/v1/apps/{app}/cron/{job}/runs/{id}/log": {
      parameters: [appParam, jobParam, idParam] as unknown as object,
      get: {
        summary: "A run's output; with follow=1 it streams until the run ends",
        parameters: [{ name: "follow", in: "query", schema: { type: "string", enum: ["0", "1"] } }],
        responses: {
          "200": { description: "text/plain lines", content: { "text/plain": { schema: { type: "string" } } } },
          ...errors,
        },
      },
    },
    "/api/v1/apps/{app}/runs": {
      parameters: [appParam] as unknown as object,
      post: {
        summary:
          "Create a one-off run of the live release (argv as is, no shell); detach starts it now (output in the logs), otherwise attach to start it",
        requestBody: json({
          type: "object",
          required: ["command"],
          properties: {
            command: { type: "array", minItems: 1, maxItems: 256, items: { type: "string", maxLength: 65536 } },
            tty: { type: "boolean", default: false },
            detach: { type: "boolean", default: false },
          },
        }),
        responses: {
          ...ok({ type: "object", properties: { id: { type: "string" }, name: { type: "string" } } }, "201"),
          ...errors,
        },
      },
    },
    "/api/v1/apps/{app}/runs/{id}": {
      parameters: [appParam, runIdParam] as unknown as object,
      get: {
        summary: "A run's state and exit code (kept 10 minutes after an attached run's container is removed)",
        responses: { ...ok(ref("Run")), ...errors },
      },
      delete: {
        summary: "Stop the run and remove its container (an attached run's session then ends)",
        responses: {
          ...ok({ type: "object", properties: { id: { type: "string" }, stopped: { type: "boolean" } } }),
          ...errors,
        },
      },
    },
    "/api/v1/apps/{app}/runs/{id}/attach": {
      parameters: [
        appParam,
        runIdParam,
        { name: "rows", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000 } },
        { name: "cols", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000 } },
      ] as unknown as object,
      get: {
        summary:
          "HTTP upgrade (Connection: Upgrade, Upgrade: tcp): starts the run and carries stdin in, output out (raw with a TTY, else Docker's 8-byte-header frames) until it exits; see src/runs/contract.ts",
        responses: { "101": { description: "Switching Protocols: a raw byte stream" }, ...errors },
      },
    },
    "/api/v1/apps/{app}/runs/{id}/resize": {
      parameters: [appParam, runIdParam] as unknown as object,
      post: {
        summary: "Resize a run's TTY",
        requestBody: json({
          type: "object",
          required: ["rows", "cols"],
          properties: {
            rows: { type: "integer", minimum: 1, maximum: 1000 },
            cols: { type: "integer", minimum: 1, maximum: 1000 },
          },
        }),
        responses: { ...ok({ type: "object" }), ...errors },
      },
    },
    "/api/v1/apps/{app}/storage": {
      parameters: [appParam] as unknown as object,
      get: {
        summary: "The app's storage mounts",
        responses: { ...ok({ type: "array", items: ref("Mount") }), ...errors },
      },
      post: {
        summary:
          "Mount a host directory under YADOKARI_STORAGE_ROOTS or a named volume into every container started from now on (422 invalid_mount names the rule broken)",
        requestBody: json({
          type: "object",
          required: ["source", "containerPath"],
          properties: {
            source: { type: "string", description: "absolute host path, or a volume name [a-zA-Z0-9][a-zA-Z0-9_.-]+" },
            containerPath: { type: "string" },
          },
        }),
        responses: { ...ok(ref("Mount"), "201"), ...errors },
      },
      delete: {
        summary: "Remove the mount at a container path",
        parameters: [{ name: "path", in: "query", required: true, schema: { type: "string" } }],
        responses: { ...ok({ type: "object", properties: { removed: { type: "string" } } }), ...errors },
      },
    },
    // Accounts: sessions, users, personal tokens, audit (src/accounts; who may call what: src/accounts/policy.ts)
    "/api/v1/session": {
      get: {
        summary: "Whether the first admin user is still to be created (no token needed)",
        security: [],
        responses: ok({ type: "object", properties: { firstAdminNeeded: { type: "boolean" } } }),
      },
      post: {
        summary:
          'Log in with email and password (no token needed; rate limited). Sets the HttpOnly session cookie and returns the CSRF token; with "token": NAME returns a personal API token instead',
        security: [],
        requestBody: json({
          type: "object",
          required: ["email", "password"],
          properties: { email: { type: "string" }, password: { type: "string" }, token: { type: "string" } },
        }),
        responses: {
          ...ok(
            {
              type: "object",
              properties: {
                user: ref("User"),
                csrf: { type: "string" },
                expiresAt: { type: "string" },
                token: { type: "string" },
              },
            },
            "201",
          ),
          ...errors,
        },
      },
      delete: { summary: "Log out: end this browser session", responses: { ...ok({ type: "object" }), ...errors } },
    },
    "/api/v1/me": {
      get: {
        summary: "Who is calling: name, role, apps, and the CSRF token of a browser session",
        responses: { ...ok({ type: "object" }), ...errors },
      },
    },
    "/api/v1/users": {
      get: { summary: "List users (admin)", responses: { ...ok({ type: "array", items: ref("User") }), ...errors } },
      post: {
        summary: "Add a user (admin); without a password an initial one is generated and returned once",
        requestBody: json({
          type: "object",
          required: ["email", "role"],
          properties: {
            email: { type: "string" },
            role: { enum: ["admin", "deployer", "viewer"] },
            apps: { oneOf: [{ const: "*" }, { type: "array", items: { type: "string" } }] },
            password: { type: "string", minLength: 12, maxLength: 1024 },
          },
        }),
        responses: {
          ...ok({ type: "object", properties: { user: ref("User"), initialPassword: { type: "string" } } }, "201"),
          ...errors,
        },
      },
    },
    "/api/v1/users/{email}": {
      parameters: [{ name: "email", in: "path", required: true, schema: { type: "string" } }] as unknown as object,
      patch: {
        summary:
          "Change a user's role, app grants or password (admin); ends their sessions on a role or password change",
        requestBody: json({
          type: "object",
          properties: {
            role: { enum: ["admin", "deployer", "viewer"] },
            apps: { oneOf: [{ const: "*" }, { type: "array", items: { type: "string" } }] },
            password: { type: "string" },
          },
        }),
        responses: { ...ok(ref("User")), ...errors },
      },
      delete: {
        summary: "Remove a user with their tokens and sessions (admin)",
        responses: { ...ok({ type: "object" }), ...errors },
      },
    },
    "/api/v1/tokens": {
      get: {
        summary: "The caller's personal API tokens (never their secrets)",
        responses: { ...ok({ type: "array", items: ref("Token") }), ...errors },
      },
      post: {
        summary: "Create a personal API token; its secret is in this answer only",
        requestBody: json({ type: "object", properties: { name: { type: "string", pattern: "^[\\w .:@-]{1,64}$" } } }),
        responses: {
          ...ok({ allOf: [ref("Token"), { type: "object", properties: { token: { type: "string" } } }] }, "201"),
          ...errors,
        },
      },
    },
    "/api/v1/tokens/{id}": {
      parameters: [idParam] as unknown as object,
      delete: { summary: "Revoke one of the caller's tokens", responses: { ...ok({ type: "object" }), ...errors } },
    },
    "/api/v1/events": {
      get: {
        summary:
          "Server-sent events for the web UI: an `apps` event with every app the caller may see (status, live release, last deploy) whenever any of it changes",
        responses: {
          "200": { description: "text/event-stream", content: { "text/event-stream": { schema: { type: "string" } } } },
          ...errors,
        },
      },
    },
    "/api/v1/audit": {
      get: {
        summary:
          "The audit log, newest first (admin): every change with who, what, which app, when, from where and whether it worked",
        parameters: [
          { name: "app", in: "query", schema: { type: "string" } },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000, default: 100 } },
        ],
        responses: { ...ok({ type: "array", items: ref("AuditEntry") }), ...errors },
      },
    },
  };
  // git connect, webhooks, review apps, promotion (issue 4)
  const hookDoc = (who: string, header: string) => ({
    parameters: [appParam] as unknown as object,
    post: {
      summary: `${who} webhook (push, ping): NOT behind the API token; authenticated by ${header} with the app's webhook secret. 202 with the delivery id when a deploy was queued, 200 for ping, ignored events and redeliveries; 401 bad signature, 404 unknown app, 400 malformed body, 422 invalid branch name: nothing is triggered then`,
      security: [],
      parameters: [{ name: header, in: "header", required: true, schema: { type: "string" } }],
      requestBody: json({ type: "object" }),
      responses: {
        ...ok(
          {
            type: "object",
            properties: { delivery: { type: "string" }, outcome: { type: "string" }, duplicate: { type: "boolean" } },
          },
          "202",
        ),
        ...errors,
      },
    },
  });
  Object.assign(paths, {
    "/hooks/github/{app}": hookDoc("GitHub", "X-Hub-Signature-256"),
    "/hooks/gitlab/{app}": hookDoc("GitLab", "X-Gitlab-Token"),
    "/api/v1/apps/{app}/git": {
      parameters: [appParam] as unknown as object,
      get: {
        summary: "The connected repository (password hidden), webhook URLs, review app settings",
        responses: { ...ok(ref("GitInfo")), ...errors },
      },
      put: {
        summary: "Connect a repository: https://, ssh://, git:// URL or absolute local path, and the app's branch",
        requestBody: json({
          type: "object",
          required: ["url"],
          properties: { url: { type: "string" }, branch: { type: "string", default: "main" } },
        }),
        responses: { ...ok(ref("GitInfo")), ...errors },
      },
    },
    "/api/v1/apps/{app}/git/deploy": {
      parameters: [appParam] as unknown as object,
      post: {
        summary:
          "Fetch the app's branch, or another branch, (or one commit of it) from the connected repository, build (or reuse the commit's image) and deploy",
        requestBody: json({
          type: "object",
          properties: {
            branch: { type: "string", description: "default: the connected branch; git's check-ref-format rules" },
            commit: { type: "string", pattern: "^[0-9a-f]{40}$" },
          },
        }),
        responses: { ...ok(ref("Deploy"), "202"), ...errors },
      },
    },
    "/api/v1/apps/{app}/hooks/deliveries": {
      parameters: [appParam] as unknown as object,
      get: {
        summary: "Webhook deliveries, newest first, with their outcome",
        responses: { ...ok({ type: "array", items: { type: "object" } }), ...errors },
      },
    },
    "/api/v1/apps/{app}/hooks/secret": {
      parameters: [appParam] as unknown as object,
      post: {
        summary: "The webhook secret (made on first call); rotate: true replaces it",
        requestBody: json({ type: "object", properties: { rotate: { type: "boolean" } } }),
        responses: { ...ok({ type: "object", properties: { secret: { type: "string" } } }), ...errors },
      },
    },
    "/api/v1/apps/{app}/review-apps": {
      parameters: [appParam] as unknown as object,
      get: {
        summary: "Review app settings and the review apps of this app",
        responses: { ...ok({ type: "object" }), ...errors },
      },
      post: {
        summary: "Create or update the review app of a branch from the connected repository (for CI without webhooks)",
        requestBody: json({
          type: "object",
          required: ["branch"],
          properties: { branch: { type: "string" }, commit: { type: "string", pattern: "^[0-9a-f]{40}$" } },
        }),
        responses: { ...ok({ type: "object" }, "202"), ...errors },
      },
      delete: {
        summary: "Destroy the review app of a branch",
        parameters: [{ name: "branch", in: "query", required: true, schema: { type: "string" } }],
        responses: { ...ok({ type: "object" }), ...errors },
      },
    },
    "/api/v1/apps/{app}/review-apps/enable": {
      parameters: [appParam] as unknown as object,
      post: {
        summary: "Enable review apps, with a TTL since the last push (default 7d)",
        requestBody: json({ type: "object", properties: { ttl: { type: "string", pattern: "^[0-9]+[smhd]$" } } }),
        responses: { ...ok({ type: "object" }), ...errors },
      },
    },
    "/api/v1/apps/{app}/review-apps/disable": {
      parameters: [appParam] as unknown as object,
      post: {
        summary: "Disable review apps and destroy the existing ones",
        responses: { ...ok({ type: "object" }), ...errors },
      },
    },
    "/api/v1/apps/{app}/review-apps/config": {
      parameters: [appParam] as unknown as object,
      get: {
        summary: "Config vars review apps get on top of the parent's",
        responses: { ...ok({ type: "object", additionalProperties: { type: "string" } }), ...errors },
      },
      patch: {
        summary: "Set and unset review app config overrides",
        requestBody: json({
          type: "object",
          properties: {
            set: { type: "object", additionalProperties: { type: "string" } },
            unset: { type: "array", items: { type: "string" } },
          },
        }),
        responses: { ...ok({ type: "object" }), ...errors },
      },
    },
    "/api/v1/apps/{app}/promote": {
      parameters: [appParam] as unknown as object,
      post: {
        summary:
          "Make a release of the target with this app's live image (no rebuild, same image id) and the target's config; deployed with zero downtime",
        requestBody: json({ type: "object", required: ["to"], properties: { to: { type: "string" } } }),
        responses: { ...ok(ref("Deploy"), "202"), ...errors },
      },
    },
  });
  extendWithProgressive(paths);
  Object.assign(paths, certPaths);
  Object.assign(paths, clusterPaths);
  Object.assign(paths, opsPaths);
  return {
    openapi: "3.1.0",
    info: { title: "Yadokari API", version },
    security: [{ bearer: [] }, { session: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer" },
        session: {
          type: "apiKey",
          in: "cookie",
          name: "yk_session",
          description: "browser sessions; changes also need the X-CSRF-Token header",
        },
      },
      schemas: {
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["code", "message", "hint"],
              properties: { code: { type: "string" }, message: { type: "string" }, hint: { type: "string" } },
            },
          },
        },
        App: {
          type: "object",
          properties: {
            name: { type: "string" },
            createdAt: { type: "string" },
            webReplicas: { type: "integer" },
            liveRelease: { type: ["integer", "null"] },
            status: { enum: ["new", "running", "deploying", "failed"] },
            urls: { type: "array", items: { type: "string" } },
            domains: { type: "array", items: { type: "string" } },
            gitUrl: { type: "string" },
            reviewOf: {
              type: ["object", "null"],
              properties: { parent: { type: "string" }, branch: { type: "string" } },
            },
          },
        },
        Release: {
          type: "object",
          properties: {
            version: { type: "integer" },
            image: { type: "string" },
            commit: { type: ["string", "null"] },
            description: { type: "string" },
            createdAt: { type: "string" },
            processes: { type: "object" },
            live: { type: "boolean" },
          },
        },
        Deploy: {
          type: "object",
          properties: {
            id: { type: "integer" },
            app: { type: "string" },
            status: { enum: ["queued", "building", "deploying", "succeeded", "failed"] },
            source: { enum: ["tar", "git", "config", "rollback", "restart", "promote"] },
            commit: { type: ["string", "null"] },
            ref: { type: ["string", "null"] },
            releaseVersion: { type: ["integer", "null"] },
            reason: { type: ["string", "null"] },
            containerLog: { type: ["string", "null"] },
            steps: { type: "array", items: { type: "object" } },
            createdAt: { type: "string" },
            finishedAt: { type: ["string", "null"] },
            urls: { type: "array", items: { type: "string" } },
          },
        },
        Container: {
          type: "object",
          properties: {
            id: { type: "string" },
            name: { type: "string" },
            process: { type: "string" },
            release: { type: "integer" },
            state: { type: "string" },
            status: { type: "string" },
            address: { type: ["string", "null"] },
            startedAt: { type: ["string", "null"] },
            routed: { type: "boolean" },
          },
        },
        CronJob: {
          type: "object",
          properties: {
            name: { type: "string" },
            command: { type: "string" },
            schedule: { type: "string" },
            concurrencyPolicy: { enum: ["forbid", "allow", "replace"] },
            nextRun: { type: ["string", "null"] },
            lastRun: {
              oneOf: [
                {
                  type: "object",
                  properties: {
                    id: { type: "integer" },
                    status: { type: "string" },
                    exitCode: { type: ["integer", "null"] },
                    startedAt: { type: "string" },
                    finishedAt: { type: ["string", "null"] },
                  },
                },
                { type: "null" },
              ],
            },
          },
        },
        CronRun: {
          type: "object",
          properties: {
            id: { type: "integer" },
            app: { type: "string" },
            job: { type: "string" },
            release: { type: "integer" },
            trigger: { enum: ["schedule", "manual"] },
            scheduledFor: { type: ["string", "null"] },
            status: { enum: ["running", "succeeded", "failed", "timed_out", "skipped", "replaced"] },
            exitCode: { type: ["integer", "null"] },
            startedAt: { type: "string" },
            finishedAt: { type: ["string", "null"] },
            output: { type: "string" },
          },
        },
        Run: {
          type: "object",
          properties: {
            id: { type: "string" },
            name: { type: "string" },
            state: { type: "string" },
            exitCode: { type: ["integer", "null"] },
          },
        },
        Mount: {
          type: "object",
          properties: {
            type: { enum: ["bind", "volume"] },
            source: { type: "string" },
            containerPath: { type: "string" },
          },
        },
        User: {
          type: "object",
          properties: {
            email: { type: "string" },
            role: { enum: ["admin", "deployer", "viewer"] },
            apps: { oneOf: [{ const: "*" }, { type: "array", items: { type: "string" } }] },
            createdAt: { type: "string" },
            createdBy: { type: "string" },
          },
        },
        Token: {
          type: "object",
          properties: {
            id: { type: "integer" },
            name: { type: "string" },
            createdAt: { type: "string" },
            lastUsedAt: { type: ["string", "null"] },
          },
        },
        AuditEntry: {
          type: "object",
          properties: {
            id: { type: "integer" },
            at: { type: "string" },
            actor: { type: "string" },
            action: { type: "string" },
            app: { type: ["string", "null"] },
            ip: { type: "string" },
            status: { type: "integer" },
            ok: { type: "boolean" },
          },
        },
        GitInfo: {
          type: "object",
          properties: {
            app: { type: "string" },
            repository: { type: ["object", "null"] },
            webhooks: { type: "object" },
            reviewApps: { type: "object" },
            reviewOf: { type: ["object", "null"] },
          },
        },
        Domain: { type: "object", properties: { hostname: { type: "string" }, kind: { enum: ["default", "custom"] } } },
      },
    },
  };
}
