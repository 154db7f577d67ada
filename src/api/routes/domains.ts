import { z } from "@hono/zod-openapi";
import { access } from "../../accounts/policy.js";
import { defaultHostname } from "../../domain/names.js";
import type { ApiRouter } from "../app.js";
import type { ApiServices } from "../services.js";
import { defineRoute } from "../route.js";
import { json, jsonBody } from "../schemas/common.js";
import { AppName, Hostname } from "../schemas/ids.js";
import { DomainView } from "../schemas/apps.js";

const AppParams = z.strictObject({ app: AppName });

const listDomains = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/domains",
  summary: "The app's hostnames: its default one and its custom domains",
  access: access.app("viewer"),
  request: { params: AppParams },
  responses: { 200: json(z.array(DomainView)) },
});

const addDomain = defineRoute({
  method: "post",
  path: "/api/v1/apps/{app}/domains",
  summary: "Add a custom domain",
  access: access.app("deployer"),
  request: { params: AppParams, body: jsonBody(z.strictObject({ hostname: Hostname }).openapi("NewDomain")) },
  responses: { 201: json(DomainView, "Created") },
  errors: [409],
});

const removeDomain = defineRoute({
  method: "delete",
  path: "/api/v1/apps/{app}/domains/{hostname}",
  summary: "Remove a custom domain",
  access: access.app("deployer"),
  request: { params: z.strictObject({ app: AppName, hostname: Hostname }) },
  responses: { 200: json(z.strictObject({ removed: z.string() })) },
});

export function registerDomains(r: ApiRouter, s: ApiServices): void {
  r.openapi(listDomains, (c) => {
    const app = s.apps.get(c.req.valid("param").app);
    return c.json(
      [
        { hostname: defaultHostname(app.name, s.ctx.domain), kind: "default" as const },
        ...s.ctx.store.listDomains(app.name).map((hostname) => ({ hostname, kind: "custom" as const })),
      ],
      200,
    );
  });
  r.openapi(addDomain, async (c) => {
    const hostname = await s.apps.addDomain(c.req.valid("param").app, c.req.valid("json").hostname);
    return c.json({ hostname, kind: "custom" as const }, 201);
  });
  r.openapi(removeDomain, async (c) => {
    const { app, hostname } = c.req.valid("param");
    await s.apps.removeDomain(app, hostname);
    return c.json({ removed: hostname.toLowerCase() }, 200);
  });
}
