import { Hono } from "hono";
import { randomUUID } from "node:crypto";
import { AppError, isAppError } from "../errors/app-error.js";
import type { ApiServices } from "./services.js";
import { tokenFromHeader } from "./auth.js";
import { getCookie } from "hono/cookie";
import { timingSafeEqual } from "node:crypto";
import { authorize } from "../accounts/policy.js";
import { clientIp, setPrincipal } from "../accounts/principal.js";
import { appOfPath } from "../accounts/audit.js";
import type { Principal } from "../accounts/types.js";
import {
  auditRoutes,
  loginRoutes,
  SESSION_COOKIE,
  sessionRoutes,
  tokenRoutes,
  userRoutes,
} from "../accounts/routes.js";
import { appRouteGroups } from "./routes/index.js";
import { openApiDocument } from "./openapi.js";
import { configAdminRoutes } from "./routes/config.js";
import { eventRoutes } from "../ui/events.js";
import { uiRoutes } from "../ui/static.js";
import { hookRoutes } from "../gitflow/routes.js";
import { allCertRoutes } from "../certs/routes.js";
import { clusterRoutes } from "../cluster/routes.js";
import { opsRoutes } from "../ops/routes.js";

/**
 * The REST API. Authentication and authorization are checked here, in one
 * middleware, for every /api/v1 route but health and login (the policy in
 * src/accounts/policy.ts decides by role, app and method); every change is
 * audited. Errors are mapped to JSON in this one place (unknown errors become
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
  api.notFound((c) =>
    c.json(
      {
        error: new AppError(
          "not_found",
          `no route ${c.req.method} ${c.req.path}`,
          "See /api/openapi.json for the routes.",
        ).toJSON(),
      },
      404,
    ),
  );

  api.get("/api/v1/health", (c) => c.json({ ok: true, version: s.version }));
  api.get("/api/openapi.json", (c) => c.json(openApiDocument(s.version)));

  api.route("/api/v1/session", loginRoutes(s)); // GET and POST only: DELETE (logout) is behind the middleware
  // Webhooks are outside /api/v1 on purpose: GitHub and GitLab cannot send the
  // API token; each delivery is authenticated by its signature instead.
  api.route("/hooks", hookRoutes(s));

  api.use("/api/v1/*", async (c, next) => {
    const p = authenticate(c.req.raw.headers, getCookie(c, SESSION_COOKIE), s);
    if (!p) throw new AppError("unauthorized", "missing or invalid API token or session");
    const method = c.req.method;
    const changes = method !== "GET" && method !== "HEAD";
    let status = 500;
    let createdApp: string | null = null;
    try {
      if (p.via === "session" && changes) checkCsrf(c.req.raw.headers, p);
      const decision = authorize(p, method, c.req.path);
      if (!decision.allow) throw new AppError(decision.status === 404 ? "not_found" : "forbidden", decision.message);
      setPrincipal(c, p);
      await next();
      status = c.res.status;
      // a created app's name is in the body, not the path
      if (method === "POST" && c.req.path === "/api/v1/apps" && status === 201)
        createdApp = ((await c.res.clone().json()) as { name?: string }).name ?? null;
    } catch (e) {
      status = (e as AppError).status ?? 500;
      throw e;
    } finally {
      if (changes)
        s.audit.record({
          actor: p.name,
          action: `${method} ${c.req.path}`,
          app: createdApp ?? appOfPath(c.req.path),
          ip: clientIp(c),
          status,
          ok: status < 400,
        });
    }
  });
  api.route("/api/v1", sessionRoutes(s));
  api.route("/api/v1/users", userRoutes(s));
  api.route("/api/v1/tokens", tokenRoutes(s));
  api.route("/api/v1/audit", auditRoutes(s));
  api.route("/api/v1/events", eventRoutes(s));
  api.route("/", uiRoutes());

  const apps = new Hono();
  for (const group of appRouteGroups) apps.route("/", group(s));
  api.route("/api/v1/apps", apps);
  api.route("/api/v1/config", configAdminRoutes(s));
  api.route("/api/v1/certs", allCertRoutes(s));
  api.route("/api/v1/cluster", clusterRoutes(s.cluster));
  api.route("/api/v1", opsRoutes(s.ops));
  return api;
}

/** A Bearer token (or git's Basic password) first, else the browser's session cookie. */
function authenticate(headers: Headers, sessionCookie: string | undefined, s: ApiServices): Principal | null {
  const token = tokenFromHeader(headers.get("authorization"));
  if (token) return s.accounts.byToken(token);
  return s.accounts.bySession(sessionCookie);
}

/**
 * A change made with a session cookie must carry the session's CSRF token
 * (a header another site's form cannot set) and, when the browser says
 * where it comes from, come from this origin.
 */
function checkCsrf(headers: Headers, p: Principal): void {
  const sent = Buffer.from(headers.get("x-csrf-token") ?? "");
  const expected = Buffer.from(p.csrf ?? "");
  if (!expected.length || sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
    throw new AppError("csrf_failed", "this change came without the session's CSRF token");
  }
  const origin = headers.get("origin");
  if (origin && origin !== "null") {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      host = "";
    }
    if (host !== headers.get("host"))
      throw new AppError("csrf_failed", `a change from another origin (${origin}) was refused`);
  }
}
