import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { Access } from "../accounts/policy.js";
import { LIMITS, limitBody, noBody } from "./body-limit.js";
import { guard } from "./guard.js";
import { ErrorBody, json } from "./schemas/common.js";

/**
 * How a route is declared. Every route of the API is one `defineRoute` call:
 *
 *   export const showApp = defineRoute({
 *     method: "get",
 *     path: "/api/v1/apps/{app}",
 *     summary: "Show an app",
 *     access: access.app("viewer"),           // who may call it (src/accounts/policy.ts)
 *     request: { params: z.strictObject({ app: AppName }) },
 *     responses: { 200: json(AppView) },       // error responses are added from the declaration
 *     errors: [409],                           // statuses the route itself may answer besides those
 *   });
 *   r.openapi(showApp, (c) => c.json(view(c.req.valid("param").app), 200));
 *
 * The declaration becomes the route's middleware (its guard, then its body
 * limit, before any validator runs), its validation (zod: unknown fields are
 * refused with `z.strictObject`; a malformed request is 400 invalid_request
 * with the path of the bad field) and its entry in /api/openapi.json. A
 * route without `access` does not compile, and a test walks every
 * registered route for its guard (src/api/routes.test.ts).
 *
 * `bodyLimit`: JSON bodies are read up to LIMITS.json (64 KiB) unless the
 * route says otherwise; "stream" leaves the body to the handler (uploads),
 * which must bound it itself.
 *
 * Converting a route written with `new Hono()` and `readJson`:
 *  1. its path in full, `{param}` style (`/api/v1/apps/{app}/certs`), and `access:` for who may call it
 *     (a route revealing secrets to read: `access.app("viewer", "revealed")`);
 *  2. its body, query and params as `z.strictObject`s (src/api/schemas/; a domain validator that throws
 *     AppError becomes a refinement with `rule()`, keeping its code); responses as schemas too;
 *  3. `c.req.param(x)` → `c.req.valid("param").x`, `readJson(c.req.raw)` → `c.req.valid("json")`,
 *     and `c.json(body, status)` with a status the responses declare (the types check the body);
 *  4. register it in its module's `registerX(r, s)`, listed in src/api/routes/index.ts.
 */
export type RouteSpec = RouteConfig & {
  access: Access;
  bodyLimit?: number | "stream";
  errors?: number[];
};

const ERROR_TEXT: Record<number, string> = {
  400: "invalid_request: malformed (the message names the bad field)",
  401: "unauthorized: no valid token or session",
  403: "forbidden (the role does not allow it), or csrf_failed",
  404: "not_found",
  409: "a conflict with the current state (the code says which)",
  413: "payload_too_large: the body passed the route's limit",
  415: "unsupported_media_type: the body is not JSON",
  422: "a rule was broken (the code says which: invalid_name, invalid_domain, …)",
  429: "too_many_attempts",
  500: "internal (the message carries a request id)",
  503: "docker_unavailable",
};

function errorResponses(spec: RouteSpec): Record<number, ReturnType<typeof json>> {
  const statuses = new Set<number>([500, ...(spec.errors ?? [])]);
  const r = spec.request;
  if (r?.params || r?.query || r?.body || r?.headers) statuses.add(400);
  if (r?.body) statuses.add(413);
  if (r?.body && "content" in r.body && r.body.content["application/json"]) statuses.add(415);
  if (spec.access.kind !== "public") statuses.add(401);
  if (spec.access.kind !== "public" && (spec.access.kind !== "user" || spec.method !== "get")) statuses.add(403);
  if (spec.access.kind === "app") statuses.add(404).add(422);
  return Object.fromEntries([...statuses].sort().map((s) => [s, json(ErrorBody, ERROR_TEXT[s] ?? "error")]));
}

/** A route's entry for the document alone (a route Hono does not serve, or serves another way). */
export function documentOnly<R extends { middleware?: unknown }>(route: R): Omit<R, "middleware"> {
  const { middleware: _middleware, ...doc } = route;
  return doc;
}

/** A route's definition: its guard and body limit as middleware, its error responses, its access in the document. */
export function defineRoute<const S extends RouteSpec>(spec: S) {
  const { access, bodyLimit, errors: _errors, ...config } = spec;
  const middleware: MiddlewareHandler[] = [guard(access) as unknown as MiddlewareHandler];
  const limit = bodyLimit ?? LIMITS.json;
  if (limit !== "stream") middleware.push(limitBody(limit));
  // a route that takes no body refuses one (an empty object aside: browsers' fetch helpers send it)
  if (!spec.request?.body && spec.method !== "get") middleware.push(noBody);
  return createRoute({
    ...config,
    // public routes need no credentials; the others take the document's default (a token or a session)
    ...(access.kind === "public" ? { security: [] } : {}),
    middleware,
    responses: { ...errorResponses(spec), ...config.responses },
    "x-access": access,
  } as unknown as Omit<S, "access" | "bodyLimit" | "errors"> & {
    middleware: MiddlewareHandler[];
    "x-access": Access;
  });
}
