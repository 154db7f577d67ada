import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { seededApi, type Seeded } from "./testing/seeded.js";
import { fillPath, registeredRoutes } from "./testing/routes.js";

/**
 * The document is the contract: every registered route declares its access
 * and is in /api/openapi.json, the document is valid OpenAPI 3.1, and what
 * the seeded server answers to every GET is what the document says.
 */
let s: Seeded;
let doc: {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[]; "x-access"?: { kind: string }; responses: object }>>;
};

before(async () => {
  s = await seededApi();
  doc = (await (await s.request("GET", "/api/openapi.json", { token: null })).json()) as typeof doc;
});
after(() => s.close());

const toDoc = (path: string) => path.replace(/:(\w+)/g, "{$1}");
/** The UI's page and files are no part of the API; the webhook routes are documented with their JSON body. */
const UNDOCUMENTED = new Set(["GET /", "GET /assets/:file"]);

test("every registered route declares its access; only health, login, the document, webhooks and the UI's files are public", () => {
  const routes = registeredRoutes(s.api);
  assert.ok(routes.length > 60, `${routes.length} routes`);
  assert.deepEqual(
    routes.filter((r) => !r.access).map((r) => `${r.method} ${r.path}`),
    [],
    "a route without a guard",
  );
  assert.deepEqual(
    routes
      .filter((r) => r.access?.kind === "public")
      .map((r) => `${r.method} ${r.path}`)
      .sort(),
    [
      "GET /",
      "GET /api/openapi.json",
      "GET /api/v1/health",
      "GET /api/v1/session",
      "GET /assets/:file",
      "POST /api/v1/session",
      "POST /hooks/github/:app",
      "POST /hooks/gitlab/:app",
    ],
  );
});

test("every route is in the document with its access; public ones need no security, the others a token or session", () => {
  const missing: string[] = [];
  for (const r of registeredRoutes(s.api)) {
    const key = `${r.method} ${r.path}`;
    if (UNDOCUMENTED.has(key)) continue;
    const op = doc.paths[toDoc(r.path)]?.[r.method.toLowerCase()];
    if (!op) {
      missing.push(key);
      continue;
    }
    assert.equal(op["x-access"]?.kind, r.access?.kind, `${key} documents the access it enforces`);
    if (r.access?.kind === "public") assert.deepEqual(op.security, [], `${key} is documented as public`);
    else {
      assert.equal(op.security, undefined, `${key} takes the document's default: a token or a session`);
      assert.ok("401" in op.responses, `${key} documents its 401`);
    }
  }
  assert.deepEqual(missing, []);
  assert.deepEqual((doc as unknown as { security: unknown }).security, [{ bearer: [] }, { session: [] }]);
  // the upgrade route Hono never sees is documented too
  assert.ok(doc.paths["/api/v1/apps/{app}/runs/{id}/attach"]?.get);
});

test("the document is valid OpenAPI 3.1", async () => {
  assert.equal(doc.openapi, "3.1.0");
  const result = await new Validator().validate(doc as never);
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 1)?.slice(0, 3000));
});

test("the document says what was drifting: app statuses, error details, formation, steps, deploy settings", () => {
  const schemas = (doc as unknown as { components: { schemas: Record<string, any> } }).components.schemas;
  assert.deepEqual(schemas.App.properties.status.enum, ["new", "running", "deploying", "failed", "crashed", "stopped"]);
  assert.ok(schemas.Error.properties.error.properties.details);
  assert.ok(schemas.Error.properties.error.properties.code.enum.includes("payload_too_large"));
  assert.equal(schemas.App.properties.formation.additionalProperties.type, "integer");
  assert.deepEqual(schemas.DeployStep.properties.status.enum, ["running", "done", "failed"]);
  assert.ok(schemas.DeploySettings.properties.maxSurge);
  for (const name of ["App", "Deploy", "Release", "Error", "DeploySettings", "ReviewApps"])
    assert.equal(schemas[name].additionalProperties, false, `${name} lists every field`);
});

test("every GET route of the seeded server answers what the document says", async () => {
  const addFormats = addFormatsModule as unknown as (a: Ajv2020) => void;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc, "doc");
  const checked: string[] = [];
  const problems: string[] = [];
  for (const r of registeredRoutes(s.api)) {
    if (r.method !== "GET" || UNDOCUMENTED.has(`${r.method} ${r.path}`)) continue;
    const template = toDoc(r.path);
    const path = fillPath(r.path, s);
    const res = await s.request("GET", path, { token: s.tokens.adminUser });
    const op = doc.paths[template].get;
    const declared = (op.responses as Record<string, { content?: Record<string, { schema: object }> }>)[
      String(res.status)
    ];
    if (!declared) {
      problems.push(`GET ${path} → ${res.status}, a status the document does not list: ${await res.text()}`);
      continue;
    }
    const type = (res.headers.get("content-type") ?? "").split(";")[0];
    if (type === "text/event-stream") {
      await res.body?.cancel();
      assert.ok(declared.content?.["text/event-stream"], `GET ${path} documents its event stream`);
      continue;
    }
    assert.ok(declared.content?.[type], `GET ${path} answered ${type}, which the document does not list`);
    if (type !== "application/json") {
      await res.text();
      continue;
    }
    if (res.status >= 400) problems.push(`GET ${path} → ${res.status}: ${await res.clone().text()}`);
    const pointer = `doc#/paths/${template.replace(/~/g, "~0").replace(/\//g, "~1")}/get/responses/${res.status}/content/application~1json/schema`;
    const validate = ajv.getSchema(pointer);
    assert.ok(validate, pointer);
    const body = await res.json();
    if (!validate(body)) problems.push(`GET ${path}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(body)}`);
    checked.push(path);
  }
  assert.deepEqual(problems, []);
  assert.ok(checked.length >= 30, `${checked.length} GET routes checked`);
});

test("on an engine outside any swarm, every cluster GET but the registry's answers the documented 409 not_a_swarm", async () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormatsModule as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addSchema(doc, "doc");
  s.swarm.swarm = false;
  const checked: string[] = [];
  try {
    for (const r of registeredRoutes(s.api)) {
      if (r.method !== "GET" || !r.path.startsWith("/api/v1/cluster/") || r.path.endsWith("/registry")) continue;
      const res = await s.request("GET", fillPath(r.path, s), { token: s.tokens.adminUser });
      const body = (await res.json()) as { error: { code: string } };
      assert.equal(res.status, 409, r.path);
      assert.equal(body.error.code, "not_a_swarm", r.path);
      const template = toDoc(r.path).replace(/~/g, "~0").replace(/\//g, "~1");
      const validate = ajv.getSchema(`doc#/paths/${template}/get/responses/409/content/application~1json/schema`);
      assert.ok(validate, `GET ${r.path} documents its 409`);
      assert.ok(validate(body), ajv.errorsText(validate.errors));
      checked.push(r.path);
    }
  } finally {
    s.swarm.swarm = true;
  }
  assert.deepEqual(checked.sort(), [
    "/api/v1/cluster/join-command",
    "/api/v1/cluster/nodes",
    "/api/v1/cluster/nodes/:node",
  ]);
});
