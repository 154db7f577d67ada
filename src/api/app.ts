import { OpenAPIHono, z } from "@hono/zod-openapi";
import { access } from "../accounts/policy.js";
import { defineRoute } from "./route.js";
import { json } from "./schemas/common.js";
import { HTTPException } from "hono/http-exception";
import { randomUUID } from "node:crypto";
import { AppError, isAppError } from "../errors/app-error.js";
import type { ApiServices } from "./services.js";
import type { ApiEnv } from "./context.js";
import { onInvalid } from "./validation.js";
import { registerRoutes } from "./routes/index.js";
import { openApiDocument } from "./openapi.js";

/** A request id the client sent, when it is a plain token; else ours. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** The router every route module registers on (typed context, validation errors mapped to AppError). */
export type ApiRouter = OpenAPIHono<ApiEnv>;

export const newRouter = (): ApiRouter => new OpenAPIHono<ApiEnv>({ defaultHook: (result) => onInvalid(result) });

/** A Hono error that is not ours (a malformed JSON body, a content type the route does not take) as an AppError. */
function fromHttpException(e: HTTPException): AppError {
  if (e.status === 415) return new AppError("unsupported_media_type", "send the body as application/json");
  if (e.status === 413) return new AppError("payload_too_large", e.message || "the request body is too large");
  if (/json/i.test(e.message)) return new AppError("invalid_request", "body: is not valid JSON");
  return new AppError("invalid_request", e.message || "malformed request");
}

/**
 * The HTTP API. Each route declares its schemas and its access in one
 * definition (src/api/route.ts); its guard authenticates, authorizes and
 * audits. Errors are mapped to JSON in this one place: AppErrors with their
 * status, anything unknown as an opaque 500 with a request id, logged with
 * its stack. Every request gets an id (X-Request-Id, echoed) that is on
 * every log line about it.
 */
export function createApi(s: ApiServices): ApiRouter {
  const api = newRouter();

  api.use("*", async (c, next) => {
    const sent = c.req.header("x-request-id");
    const requestId = sent && REQUEST_ID.test(sent) ? sent : randomUUID();
    const log = s.log.child({ requestId });
    c.set("requestId", requestId);
    c.set("log", log);
    c.set("deps", { accounts: s.accounts, audit: s.audit, log });
    const started = performance.now();
    await next();
    c.header("x-request-id", requestId);
    log.debug("request", {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    });
  });

  api.onError((err, c) => {
    const e = isAppError(err) ? err : err instanceof HTTPException ? fromHttpException(err) : null;
    const requestId = c.get("requestId") ?? randomUUID();
    c.header("x-request-id", requestId);
    if (e && e.status >= 500)
      (c.get("log") ?? s.log).error(e.message, { code: e.code, method: c.req.method, path: c.req.path });
    if (e) {
      // the unread rest of an oversized body is not worth keeping the connection for
      if (e.code === "payload_too_large") c.header("connection", "close");
      return c.json({ error: e.toJSON() }, e.status as 400);
    }
    (c.get("log") ?? s.log).error("unhandled error", {
      method: c.req.method,
      path: c.req.path,
      err: (err as Error).stack ?? String(err),
    });
    const internal = new AppError("internal", `internal error (request id ${requestId})`);
    return c.json({ error: internal.toJSON() }, 500);
  });

  api.notFound((c) =>
    c.json(
      {
        error: new AppError(
          "not_found",
          `no route ${c.req.method} ${c.req.path.slice(0, 200)}`,
          "See /api/openapi.json for the routes.",
        ).toJSON(),
      },
      404,
    ),
  );

  registerRoutes(api, s);
  let doc: Record<string, unknown> | null = null;
  api.openapi(documentRoute, (c) => c.json((doc ??= openApiDocument(api, s.version) as Record<string, unknown>), 200));
  return api;
}

const documentRoute = defineRoute({
  method: "get",
  path: "/api/openapi.json",
  summary: "This document: every route, generated from the routes' own schemas",
  access: access.public("clients read it to know the API"),
  responses: { 200: json(z.record(z.string(), z.unknown())) },
});
