import { z } from "@hono/zod-openapi";
import { access } from "../../accounts/policy.js";
import type { ApiRouter } from "../app.js";
import type { ApiServices } from "../services.js";
import { defineRoute } from "../route.js";
import { json } from "../schemas/common.js";

export const health = defineRoute({
  method: "get",
  path: "/api/v1/health",
  summary: "Liveness (no token needed)",
  access: access.public("load balancers and the CLI check it before logging in"),
  responses: { 200: json(z.strictObject({ ok: z.literal(true), version: z.string() }).openapi("Health")) },
});

/** GET /api/v1/health. (The document itself, /api/openapi.json, is served by createApi.) */
export function registerMeta(r: ApiRouter, s: ApiServices): void {
  r.openapi(health, (c) => c.json({ ok: true as const, version: s.version }, 200));
}
