import { Hono } from "hono";
import type { ApiServices } from "../services.js";
import type { ProcessView } from "../contract.js";
import { readJson } from "../read-json.js";
import { deployView } from "../views.js";
import { desiredFormation } from "../../engine/reconciler.js";
import { principalOf } from "../../accounts/principal.js";

/** Formation and process control: Heroku's ps, ps:scale, ps:restart, ps:stop/start, and deploy settings. */
export function processRoutes(s: ApiServices): Hono {
  const r = new Hono();

  r.get("/:app/formation", async (c) => {
    const app = s.apps.get(c.req.param("app"));
    const live = app.liveReleaseId ? s.ctx.store.getRelease(app.liveReleaseId) : null;
    const containers = await s.ctx.units.list({ app: app.name, kind: "process" });
    const health = s.ctx.store.processHealth(app.name);
    const want = desiredFormation(app, live ?? undefined);
    const now = s.ctx.clock.now().getTime();
    const views: ProcessView[] = Object.keys(live?.processes ?? {}).map((type) => {
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
    return c.json({ stopped: app.stopped, processes: views });
  });

  r.patch("/:app/formation", async (c) => {
    const app = s.apps.get(c.req.param("app"));
    const formation = await s.processes.scale(app, await readJson(c.req.raw));
    return c.json({ formation });
  });

  r.post("/:app/ps/restart", async (c) => {
    const app = s.apps.get(c.req.param("app"));
    const { deploy } = s.processes.restart(app, await readJson(c.req.raw), principalOf(c).name);
    return c.json(deployView(s.views, deploy), 202);
  });

  r.post("/:app/ps/stop", async (c) => {
    const app = s.apps.get(c.req.param("app"));
    await s.processes.stop(app);
    return c.json({ stopped: true });
  });

  r.post("/:app/ps/start", async (c) => {
    const app = s.apps.get(c.req.param("app"));
    await s.processes.start(app);
    return c.json({ stopped: false });
  });

  r.get("/:app/deploy-settings", (c) => c.json(s.apps.get(c.req.param("app")).deploySettings));
  r.patch("/:app/deploy-settings", async (c) => {
    const app = s.apps.get(c.req.param("app"));
    return c.json(await s.processes.setDeploySettings(app, await readJson(c.req.raw)));
  });
  return r;
}
