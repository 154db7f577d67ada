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

test("webhook routes are the only routes outside the token check, and say so in the document", async () => {
  const anything: unknown = new Proxy(() => anything, { get: () => anything });
  const api = createApi(anything as ApiServices);
  const outside = api.routes.filter((r) => r.method !== "ALL" && !r.path.startsWith("/api/v1/")).map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(outside.sort(), ["GET /api/openapi.json", "POST /hooks/github/:app", "POST /hooks/gitlab/:app"]);
  const doc = openApiDocument("test") as { paths: Record<string, Record<string, { security?: unknown[] }>> };
  assert.deepEqual(doc.paths["/hooks/github/{app}"].post.security, []);
  assert.deepEqual(doc.paths["/hooks/gitlab/{app}"].post.security, []);
  // And an API route without a token is still refused.
  const tokens = { verify: () => false };
  const refused = await createApi({ tokens, ctx: { log: () => {} } } as unknown as ApiServices).request("/api/v1/apps/web/git");
  assert.equal(refused.status, 401);
});
