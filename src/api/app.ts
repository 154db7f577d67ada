import { Hono } from "hono";
import { randomUUID } from "node:crypto";
import { AppError, isAppError } from "../errors/app-error.js";
import type { ApiServices } from "./services.js";
import { tokenFromHeader } from "./auth.js";
import { appRouteGroups } from "./routes/index.js";
import { openApiDocument } from "./openapi.js";
import { configAdminRoutes } from "./routes/config.js";
import { hookRoutes } from "../gitflow/routes.js";

/**
 * The REST API. Authentication is checked here for every /api/v1 route but
 * health; errors are mapped to JSON in this one place (unknown errors become
 * an opaque 500 with a request id, logged with their stack).
 */
export function createApi(s: ApiServices): Hono {
  const api = new Hono();

  api.onError((err, c) => {
    if (isAppError(err)) return c.json({ error: err.toJSON() }, err.status as 400);
    const id = randomUUID();
    s.ctx.log(`request ${id} ${c.req.method} ${c.req.path}: ${(err as Error).stack}`);
    const e = new AppError("internal", `internal error (request id ${id})`);
    return c.json({ error: e.toJSON() }, 500);
  });
  api.notFound((c) => c.json({ error: new AppError("not_found", `no route ${c.req.method} ${c.req.path}`, "See /api/openapi.json for the routes.").toJSON() }, 404));

  api.get("/api/v1/health", (c) => c.json({ ok: true, version: s.version }));
  api.get("/api/openapi.json", (c) => c.json(openApiDocument(s.version)));

  // Webhooks are outside /api/v1 on purpose: GitHub and GitLab cannot send the
  // API token; each delivery is authenticated by its signature instead.
  api.route("/hooks", hookRoutes(s));

  api.use("/api/v1/*", async (c, next) => {
    if (!s.tokens.verify(tokenFromHeader(c.req.header("authorization")))) throw new AppError("unauthorized", "missing or invalid API token");
    await next();
  });

  const apps = new Hono();
  for (const group of appRouteGroups) apps.route("/", group(s));
  api.route("/api/v1/apps", apps);
  api.route("/api/v1/config", configAdminRoutes(s));
  return api;
}
