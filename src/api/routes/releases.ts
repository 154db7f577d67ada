import { Hono } from "hono";
import { AppError } from "../../errors/app-error.js";
import type { ApiServices } from "../services.js";
import { deployView, releaseView } from "../views.js";
import { principalOf } from "../../accounts/principal.js";
import { readJson } from "../read-json.js";

const versionOf = (text: string): number => {
  const m = /^v?(\d{1,9})$/.exec(text);
  if (!m)
    throw new AppError("invalid_request", `${JSON.stringify(text.slice(0, 20))} is not a release version: use v7 or 7`);
  return Number(m[1]);
};

/** Releases: list, one in detail, rollback. */
export function releaseRoutes(s: ApiServices): Hono {
  const r = new Hono();

  r.get("/:app/releases", (c) => {
    const app = s.apps.get(c.req.param("app"));
    return c.json(s.ctx.store.listReleases(app.name).map((rel) => releaseView(rel, app.liveReleaseId)));
  });

  r.get("/:app/releases/:version", async (c) => {
    const app = s.apps.get(c.req.param("app"));
    const v = versionOf(c.req.param("version"));
    const rel = s.ctx.store.releaseByVersion(app.name, v);
    if (!rel)
      throw new AppError(
        "not_found",
        `app ${app.name} has no release v${v}`,
        `'yk releases -a ${app.name}' lists them.`,
      );
    return c.json({
      ...releaseView(rel, app.liveReleaseId),
      // names only: values stay behind `yk config`
      configKeys: Object.keys(rel.config).sort(),
      formation: rel.formation,
      releaseCommand: rel.manifest.releaseCommand,
      cron: rel.manifest.cron.map((j) => ({ name: j.name, schedule: j.schedule })),
      imageAvailable: await s.ctx.engine.images.exists(rel.image),
    });
  });

  r.post("/:app/rollback", async (c) => {
    const app = s.apps.get(c.req.param("app"));
    const body = await readJson(c.req.raw);
    const version = body.version === undefined || body.version === null ? undefined : versionOf(String(body.version));
    const { deploy } = await s.processes.rollback(app, version, principalOf(c).name);
    return c.json(deployView(s.views, deploy), 202);
  });
  return r;
}
