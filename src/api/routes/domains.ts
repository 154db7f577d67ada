import { Hono } from "hono";
import type { ApiServices } from "../services.js";
import type { DomainView } from "../contract.js";
import { defaultHostname } from "../../domain/names.js";
import { readJson } from "../read-json.js";

export function domainRoutes(s: ApiServices): Hono {
  const r = new Hono();
  r.get("/:app/domains", (c) => {
    const app = s.apps.get(c.req.param("app"));
    const views: DomainView[] = [
      { hostname: defaultHostname(app.name, s.ctx.domain), kind: "default" },
      ...s.ctx.store.listDomains(app.name).map((hostname) => ({ hostname, kind: "custom" as const })),
    ];
    return c.json(views);
  });
  r.post("/:app/domains", async (c) => {
    const body = await readJson(c.req.raw);
    const hostname = await s.apps.addDomain(c.req.param("app"), body.hostname);
    return c.json({ hostname, kind: "custom" } satisfies DomainView, 201);
  });
  r.delete("/:app/domains/:hostname", async (c) => {
    await s.apps.removeDomain(c.req.param("app"), c.req.param("hostname"));
    return c.json({ removed: c.req.param("hostname").toLowerCase() });
  });
  return r;
}
