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
    if (r.method === "ALL" || !r.path.startsWith("/api/")) continue; // middleware
    const path = r.path.replace(/:([A-Za-z]+)/g, "{$1}");
    if (path === "/api/openapi.json") continue;
    if (!doc.paths[path]?.[r.method.toLowerCase()]) missing.push(`${r.method} ${path}`);
  }
  assert.deepEqual(missing, []);
});
