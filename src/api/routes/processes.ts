import { z } from "@hono/zod-openapi";
import { access } from "../../accounts/policy.js";
import { principalOf } from "../../accounts/principal.js";
import { desiredFormation } from "../../engine/reconciler.js";
import { MAX_SCALE } from "../../engine/processes.js";
import type { ApiRouter } from "../app.js";
import type { ApiServices } from "../services.js";
import { defineRoute } from "../route.js";
import { json, jsonBody, optionalJsonBody } from "../schemas/common.js";
import { AppName, ProcessType } from "../schemas/ids.js";
import { DeploySettingsView, DeployView, Formation, FormationView } from "../schemas/apps.js";
import { deployView } from "../views.js";

const AppParams = z.strictObject({ app: AppName });

const formation = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/formation",
  summary: "Process types of the live release with counts, running containers, restarts and crash loops (yk ps)",
  access: access.app("viewer"),
  request: { params: AppParams },
  responses: { 200: json(FormationView) },
  errors: [503],
});

const scale = defineRoute({
  method: "patch",
  path: "/api/v1/apps/{app}/formation",
  summary: "Scale process types (yk ps:scale web=2 worker=1)",
  access: access.app("deployer"),
  request: {
    params: AppParams,
    body: jsonBody(
      z
        .record(ProcessType, z.int().min(0).max(MAX_SCALE))
        .refine((f) => Object.keys(f).length > 0, { error: 'give process types and counts, e.g. {"web": 2}' })
        .openapi("Scale", { example: { web: 2, worker: 1 } }),
    ),
  },
  responses: { 200: json(z.strictObject({ formation: Formation })) },
});

const restart = defineRoute({
  method: "post",
  path: "/api/v1/apps/{app}/ps/restart",
  summary: "Replace containers (all, or one type) with zero downtime",
  access: access.app("deployer"),
  request: {
    params: AppParams,
    body: optionalJsonBody(
      z
        .strictObject({
          type: ProcessType.nullable().optional().openapi({
            description:
              "a process type of the live release; absent or null restarts every type (anything else is a 400)",
          }),
        })
        .openapi("Restart"),
    ),
  },
  responses: { 202: json(DeployView, "Accepted: the restart is queued") },
});

const stopOrStart = (verb: "stop" | "start") =>
  defineRoute({
    method: "post",
    path: `/api/v1/apps/{app}/ps/${verb}`,
    summary: verb === "stop" ? "Stop every process of the app" : "Start a stopped app at its formation",
    access: access.app("deployer"),
    request: { params: AppParams },
    responses: { 200: json(z.strictObject({ stopped: z.boolean() })) },
  });

const showSettings = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/deploy-settings",
  summary: "Deploy settings: rolling (maxSurge, pauseSec), strategy, canary steps and thresholds, sticky sessions",
  access: access.app("viewer"),
  request: { params: AppParams },
  responses: { 200: json(DeploySettingsView) },
});

const changeSettings = defineRoute({
  method: "patch",
  path: "/api/v1/apps/{app}/deploy-settings",
  summary: "Change deploy settings (the fields given; the others stay)",
  access: access.app("deployer"),
  request: { params: AppParams, body: jsonBody(DeploySettingsView) },
  responses: { 200: json(DeploySettingsView) },
});

/** Formation and process control: Heroku's ps, ps:scale, ps:restart, ps:stop/start, and deploy settings. */
export function registerProcesses(r: ApiRouter, s: ApiServices): void {
  r.openapi(formation, async (c) => {
    const app = s.apps.get(c.req.valid("param").app);
    const live = app.liveReleaseId ? s.ctx.store.getRelease(app.liveReleaseId) : null;
    const containers = await s.ctx.units.list({ app: app.name, kind: "process" });
    const health = s.ctx.store.processHealth(app.name);
    const want = desiredFormation(app, live ?? undefined);
    const now = s.ctx.clock.now().getTime();
    const processes = Object.keys(live?.processes ?? {}).map((type) => {
      const h = health.find((x) => x.process === type);
      return {
        type,
        quantity: app.formation[type] ?? want[type] ?? 0,
        command: live?.processes[type] ?? null,
        running: containers.filter(
          (x) => x.process === type && x.state === "running" && x.releaseVersion === live?.version,
        ).length,
        restarts: h?.restarts ?? 0,
        crashLoop: (h?.crashesInRow ?? 0) >= 3,
        lastExitCode: h?.lastExitCode ?? null,
        backoffUntil: h?.backoffUntil && Date.parse(h.backoffUntil) > now ? h.backoffUntil : null,
      };
    });
    return c.json({ stopped: app.stopped, processes }, 200);
  });

  r.openapi(scale, async (c) => {
    const app = s.apps.get(c.req.valid("param").app);
    return c.json({ formation: await s.processes.scale(app, c.req.valid("json")) }, 200);
  });

  r.openapi(restart, (c) => {
    const app = s.apps.get(c.req.valid("param").app);
    const { deploy } = s.processes.restart(app, c.req.valid("json") ?? {}, principalOf(c).name);
    return c.json(deployView(s.views, deploy), 202);
  });

  r.openapi(stopOrStart("stop"), async (c) => {
    await s.processes.stop(s.apps.get(c.req.valid("param").app));
    return c.json({ stopped: true }, 200);
  });
  r.openapi(stopOrStart("start"), async (c) => {
    await s.processes.start(s.apps.get(c.req.valid("param").app));
    return c.json({ stopped: false }, 200);
  });

  r.openapi(showSettings, (c) => c.json(s.apps.get(c.req.valid("param").app).deploySettings, 200));
  r.openapi(changeSettings, async (c) => {
    const app = s.apps.get(c.req.valid("param").app);
    return c.json(await s.processes.setDeploySettings(app, c.req.valid("json")), 200);
  });
}
