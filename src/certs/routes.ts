import { Hono } from "hono";
import type { ApiServices } from "../api/services.js";
import { readJson } from "../api/read-json.js";

/**
 * Certificates and TLS settings under /api/v1/apps/:app (and the server-wide
 * list for admins under /api/v1/certs). Authorization is the policy's, by path.
 */
export function certRoutes(s: ApiServices): Hono {
  const r = new Hono();
  r.get("/:app/certs", (c) => c.json(s.certs.list(c.req.param("app"))));
  r.post("/:app/certs", async (c) => {
    const body = await readJson(c.req.raw);
    return c.json(await s.certs.upload(c.req.param("app"), body.certificate, body.privateKey), 201);
  });
  r.delete("/:app/certs/:hostname", async (c) =>
    c.json(await s.certs.remove(c.req.param("app"), c.req.param("hostname"))),
  );
  r.get("/:app/certs/attempts", (c) => c.json(s.certs.attempts(c.req.param("app"), c.req.query("hostname"))));
  r.patch("/:app/tls", async (c) =>
    c.json(await s.certs.updateSettings(c.req.param("app"), await readJson(c.req.raw))),
  );
  return r;
}

/** Every hostname's certificate, Yadokari's API hostname included: admins only (the policy's default for this area). */
export function allCertRoutes(s: ApiServices): Hono {
  const r = new Hono();
  r.get("/", (c) => c.json(s.certs.listAll()));
  return r;
}
