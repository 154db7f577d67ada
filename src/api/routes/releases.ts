import { z } from "@hono/zod-openapi";
import { access } from "../../accounts/policy.js";
import { principalOf } from "../../accounts/principal.js";
import { AppError } from "../../errors/app-error.js";
import type { Release } from "../../domain/types.js";
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
  summary:
    "A new release copying vN (default: the one live before the live one), deployed with zero downtime; a never-live vN needs force",
  access: access.app("deployer"),
  request: {
    params: AppParams,
    body: optionalJsonBody(
      z
        .strictObject({
          version: z
            .union([z.int().min(1), ReleaseVersion, z.null()])
            .optional()
            .openapi({ description: "7 or v7; when left out, the release that was live before the live one" }),
          force: z.boolean().optional().openapi({
            description: "roll back to a release that never went live (refused otherwise: release_never_live)",
          }),
        })
        .openapi("Rollback"),
    ),
  },
  responses: { 202: json(DeployView, "Accepted: the rollback is queued") },
});

/** Releases: list, one in detail, rollback. */
export function registerReleases(r: ApiRouter, s: ApiServices): void {
  r.openapi(listReleases, async (c) => {
    const app = s.apps.get(c.req.valid("param").app);
    const outcomes = s.ctx.store.releaseHistory.outcomes(app.name);
    const releases = s.ctx.store.listReleases(app.name);
    const kept = await imagesKept(s, releases);
    return c.json(
      releases.map((rel) => releaseView(rel, app.liveReleaseId, outcomes.get(rel.id), kept.has(rel.image))),
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
    const imageAvailable = await s.ctx.engine.images.exists(rel.image);
    return c.json(
      {
        ...releaseView(
          rel,
          app.liveReleaseId,
          s.ctx.store.releaseHistory.outcomes(app.name).get(rel.id),
          imageAvailable,
        ),
        configKeys: Object.keys(rel.config).sort(),
        formation: rel.formation,
        releaseCommand: rel.manifest.releaseCommand,
        cron: rel.manifest.cron.map((j) => ({ name: j.name, schedule: j.schedule })),
      },
      200,
    );
  });

  r.openapi(rollback, async (c) => {
    const app = s.apps.get(c.req.valid("param").app);
    const body = c.req.valid("json");
    const { deploy } = await s.processes.rollback(app, body.version ?? undefined, principalOf(c).name, !!body.force);
    return c.json(deployView(s.views, deploy), 202);
  });
}

/** The images of these releases that are still there (one look per image: rollbacks share their target's). */
async function imagesKept(s: ApiServices, releases: Release[]): Promise<Set<string>> {
  const images = [...new Set(releases.map((r) => r.image))];
  const there = await Promise.all(images.map((i) => s.ctx.engine.images.exists(i)));
  return new Set(images.filter((_, i) => there[i]));
}
