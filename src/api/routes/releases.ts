import { z } from "@hono/zod-openapi";
import { access } from "../../accounts/policy.js";
import { principalOf } from "../../accounts/principal.js";
import { AppError } from "../../errors/app-error.js";
import type { ApiRouter } from "../app.js";
import type { ApiServices } from "../services.js";
import { defineRoute } from "../route.js";
import { json, optionalJsonBody } from "../schemas/common.js";
import { AppName, ReleaseVersion } from "../schemas/ids.js";
import { DeployView, ReleaseDetailView, ReleaseView } from "../schemas/apps.js";
import { deployView, releaseView } from "../views.js";

const AppParams = z.strictObject({ app: AppName });

const listReleases = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/releases",
  summary: "List releases, newest first",
  access: access.app("viewer"),
  request: { params: AppParams },
  responses: { 200: json(z.array(ReleaseView)) },
});

const showRelease = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/releases/{version}",
  summary: "One release: image, config names (never values), formation, release command, cron",
  access: access.app("viewer"),
  request: { params: z.strictObject({ app: AppName, version: ReleaseVersion }) },
  responses: { 200: json(ReleaseDetailView) },
  errors: [503],
});

const rollback = defineRoute({
  method: "post",
  path: "/api/v1/apps/{app}/rollback",
  summary: "A new release copying vN (default: the one before the live one), deployed with zero downtime",
  access: access.app("deployer"),
  request: {
    params: AppParams,
    body: optionalJsonBody(
      z
        .strictObject({
          version: z
            .union([z.int().min(1), ReleaseVersion, z.null()])
            .optional()
            .openapi({ description: "7 or v7; the previous release when left out" }),
        })
        .openapi("Rollback"),
    ),
  },
  responses: { 202: json(DeployView, "Accepted: the rollback is queued") },
});

/** Releases: list, one in detail, rollback. */
export function registerReleases(r: ApiRouter, s: ApiServices): void {
  r.openapi(listReleases, (c) => {
    const app = s.apps.get(c.req.valid("param").app);
    return c.json(
      s.ctx.store.listReleases(app.name).map((rel) => releaseView(rel, app.liveReleaseId)),
      200,
    );
  });

  r.openapi(showRelease, async (c) => {
    const { app: name, version: v } = c.req.valid("param");
    const app = s.apps.get(name);
    const rel = s.ctx.store.releaseByVersion(app.name, v);
    if (!rel)
      throw new AppError(
        "not_found",
        `app ${app.name} has no release v${v}`,
        `'yk releases -a ${app.name}' lists them.`,
      );
    return c.json(
      {
        ...releaseView(rel, app.liveReleaseId),
        configKeys: Object.keys(rel.config).sort(),
        formation: rel.formation,
        releaseCommand: rel.manifest.releaseCommand,
        cron: rel.manifest.cron.map((j) => ({ name: j.name, schedule: j.schedule })),
        imageAvailable: await s.ctx.engine.images.exists(rel.image),
      },
      200,
    );
  });

  r.openapi(rollback, async (c) => {
    const app = s.apps.get(c.req.valid("param").app);
    const { deploy } = await s.processes.rollback(app, c.req.valid("json").version ?? undefined, principalOf(c).name);
    return c.json(deployView(s.views, deploy), 202);
  });
}
