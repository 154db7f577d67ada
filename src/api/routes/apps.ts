import { Hono } from "hono";
import type { ApiServices } from "../services.js";
import { appView } from "../views.js";
import { readJson } from "../read-json.js";
import { principalOf } from "../../accounts/principal.js";
import { canSeeApp } from "../../accounts/types.js";

export function appsRoutes(s: ApiServices): Hono {
  const r = new Hono();
  r.get("/", (c) => {
    const p = principalOf(c);
    return c.json(
      s.ctx.store
        .listApps()
        .filter((a) => canSeeApp(p, a.name))
        .map((a) => appView(s.views, a)),
    );
  });
  r.post("/", async (c) => {
    const body = await readJson(c.req.raw);
    const app = await s.apps.create(body.name);
    return c.json(appView(s.views, app), 201);
  });
  r.get("/:app", (c) => c.json(appView(s.views, s.apps.get(c.req.param("app")))));
  r.patch("/:app", async (c) => {
    const body = await readJson(c.req.raw);
    return c.json(appView(s.views, s.apps.setWebReplicas(c.req.param("app"), body.webReplicas)));
  });
  r.delete("/:app", async (c) => {
    const name = s.apps.get(c.req.param("app")).name;
    await s.apps.destroy(name);
    return c.json({ destroyed: name });
  });
  return r;
}
