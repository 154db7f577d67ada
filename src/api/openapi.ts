import type { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "./context.js";
import { SESSION_COOKIE } from "./guard.js";

/**
 * /api/openapi.json, generated from the routes' own definitions (their
 * schemas, access and error responses): nothing here lists a route.
 */
export function openApiDocument(api: OpenAPIHono<ApiEnv>, version: string): object {
  const registry = api.openAPIRegistry;
  if (!registry.definitions.some((d) => d.type === "component" && d.componentType === "securitySchemes")) {
    registry.registerComponent("securitySchemes", "bearer", {
      type: "http",
      scheme: "bearer",
      description: "an API token: the admin token (<data-dir>/admin-token) or a personal token (yk tokens:create)",
    });
    registry.registerComponent("securitySchemes", "session", {
      type: "apiKey",
      in: "cookie",
      name: SESSION_COOKIE,
      description: "browser sessions (POST /api/v1/session); changes also need the X-CSRF-Token header",
    });
  }
  return api.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "Yadokari API",
      version,
      description:
        "Every route lists who may call it (x-access), its parameters and bodies (unknown fields are refused), and its error responses. Errors are `{ error: { code, message, hint, details? } }`; docs/errors.md lists the codes.",
    },
    security: [{ bearer: [] }, { session: [] }],
  });
}
