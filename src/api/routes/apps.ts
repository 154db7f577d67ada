import { z } from "@hono/zod-openapi";
import { access } from "../../accounts/policy.js";
import { principalOf } from "../../accounts/principal.js";
import { canSeeApp } from "../../accounts/types.js";
import type { ApiRouter } from "../app.js";
import type { ApiServices } from "../services.js";
import { defineRoute } from "../route.js";
import { json, jsonBody } from "../schemas/common.js";
import { AppName } from "../schemas/ids.js";
import { AppView } from "../schemas/apps.js";
import { appView } from "../views.js";

export const AppParams = z.strictObject({ app: AppName });

const listApps = defineRoute({
  method: "get",
  path: "/api/v1/apps",
  summary: "List the apps the caller may see",
  access: access.user(),
  responses: { 200: json(z.array(AppView)) },
});

const createApp = defineRoute({
  method: "post",
  path: "/api/v1/apps",
  summary: "Create an app",
  access: access.createApp(),
  request: { body: jsonBody(z.strictObject({ name: AppName }).openapi("NewApp")) },
  responses: { 201: json(AppView, "Created") },
  errors: [409, 422],
});

const showApp = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}",
  summary: "Show an app",
  access: access.app("viewer"),
  request: { params: AppParams },
  responses: { 200: json(AppView) },
});

const changeApp = defineRoute({
  method: "patch",
  path: "/api/v1/apps/{app}",
  summary: "Change app settings: the number of web containers",
  access: access.app("deployer"),
  request: {
    params: AppParams,
    body: jsonBody(z.strictObject({ webReplicas: z.int().min(1).max(50) }).openapi("AppChange")),
  },
  responses: { 200: json(AppView) },
});

const destroyApp = defineRoute({
  method: "delete",
  path: "/api/v1/apps/{app}",
  summary: "Destroy an app: containers, images, routes and records",
  access: access.app("admin", "none", "yk apps:destroy {app} --confirm {app}"),
  request: { params: AppParams },
  responses: { 200: json(z.strictObject({ destroyed: z.string() })) },
});

export function registerApps(r: ApiRouter, s: ApiServices): void {
  r.openapi(listApps, (c) => {
    const p = principalOf(c);
    const apps = s.ctx.store.listApps().filter((a) => canSeeApp(p, a.name));
    return c.json(
      apps.map((a) => appView(s.views, a)),
      200,
    );
  });
  r.openapi(createApp, async (c) => c.json(appView(s.views, await s.apps.create(c.req.valid("json").name)), 201));
  r.openapi(showApp, (c) => c.json(appView(s.views, s.apps.get(c.req.valid("param").app)), 200));
  r.openapi(changeApp, (c) => {
    const { app } = c.req.valid("param");
    return c.json(appView(s.views, s.apps.setWebReplicas(app, c.req.valid("json").webReplicas)), 200);
  });
  r.openapi(destroyApp, async (c) => {
    const name = s.apps.get(c.req.valid("param").app).name;
    await s.apps.destroy(name);
    return c.json({ destroyed: name }, 200);
  });
}
