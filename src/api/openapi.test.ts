import { test } from "node:test";
import assert from "node:assert/strict";
import { createApi } from "./app.js";
import { openApiDocument } from "./openapi.js";
import type { ApiServices } from "./services.js";

test("every API route is in the OpenAPI document, with its method", () => {
  // Route factories only capture the services; nothing is called while routes are registered.
  const anything: unknown = new Proxy(() => anything, { get: () => anything });
  const api = createApi(anything as ApiServices);
  const doc = openApiDocument("test") as { paths: Record<string, Record<string, unknown>> };
  const missing: string[] = [];
  for (const r of api.routes) {
    // Webhooks live outside /api/ (no API token: they are signed) and are documented too.
    if (r.method === "ALL" || !(r.path.startsWith("/api/") || r.path.startsWith("/hooks/"))) continue; // middleware
    const path = r.path.replace(/:([A-Za-z]+)/g, "{$1}");
    if (path === "/api/openapi.json") continue;
    if (!doc.paths[path]?.[r.method.toLowerCase()]) missing.push(`${r.method} ${path}`);
  }
  assert.deepEqual(missing, []);
});

test("only webhooks, the UI's files, health and login are outside the token check, and the document says so", async () => {
  const anything: unknown = new Proxy(() => anything, { get: () => anything });
  const api = createApi(anything as ApiServices);
  const outside = api.routes
    .filter((r) => r.method !== "ALL" && !r.path.startsWith("/api/v1/"))
    .map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(outside.sort(), [
    "GET /",
    "GET /api/openapi.json",
    "GET /assets/:file",
    "POST /hooks/github/:app",
    "POST /hooks/gitlab/:app",
  ]);
  // under /api/v1, the routes registered before the auth middleware are the public ones
  const guard = api.routes.findIndex((r) => r.method === "ALL" && r.path === "/api/v1/*");
  const before = api.routes
    .slice(0, guard)
    .filter((r) => r.method !== "ALL" && r.path.startsWith("/api/v1/"))
    .map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(before.sort(), ["GET /api/v1/health", "GET /api/v1/session", "POST /api/v1/session"]);
  const doc = openApiDocument("test") as { paths: Record<string, Record<string, { security?: unknown[] }>> };
  for (const [path, method] of [
    ["/hooks/github/{app}", "post"],
    ["/hooks/gitlab/{app}", "post"],
    ["/api/v1/health", "get"],
    ["/api/v1/session", "get"],
    ["/api/v1/session", "post"],
  ]) {
    assert.deepEqual(doc.paths[path][method].security, [], `${method} ${path} is documented as public`);
  }
  // And an API route without a token or session is still refused.
  const known: Record<string, unknown> = {
    accounts: { byToken: () => null, bySession: () => null },
    audit: { record: () => {} },
    ctx: { log: () => {} },
  };
  const services = new Proxy(known, { get: (t, k: string) => (k in t ? t[k] : anything) });
  const refused = await createApi(services as unknown as ApiServices).request("/api/v1/apps/web/git");
  assert.equal(refused.status, 401);
});
