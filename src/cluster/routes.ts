import { Hono } from "hono";
import { AppError } from "../errors/app-error.js";
import { readJson } from "../api/read-json.js";
import type { Cluster } from "./cluster.js";
import type { ExternalRegistrySettings } from "./registry/external.js";

export interface ClusterServices {
  /** null when the server has no swarm engine to talk to */
  cluster: Cluster | null;
  registry: ExternalRegistrySettings;
}

const need = (s: ClusterServices): Cluster => {
  if (!s.cluster) throw new AppError("not_a_swarm", "this server has no swarm engine");
  return s.cluster;
};

/**
 * /api/v1/cluster: the swarm's nodes and the registry setting. Admins only
 * (the policy's default for areas other than apps).
 */
export function clusterRoutes(s: ClusterServices): Hono {
  const r = new Hono();
  r.get("/nodes", async (c) => c.json(await need(s).nodes()));
  r.get("/nodes/:node", async (c) => c.json(await need(s).node(c.req.param("node"))));
  r.patch("/nodes/:node/labels", async (c) => {
    const body = await readJson(c.req.raw);
    return c.json(await need(s).label(c.req.param("node"), body.labels));
  });
  r.post("/nodes/:node/drain", async (c) => c.json(await need(s).drain(c.req.param("node"))));
  r.post("/nodes/:node/activate", async (c) => c.json(await need(s).activate(c.req.param("node"))));
  r.post("/nodes/:node/admit", async (c) => c.json(await need(s).admit(c.req.param("node"))));
  r.delete("/nodes/:node", async (c) => {
    const force = c.req.query("force");
    if (force !== undefined && force !== "true" && force !== "false")
      throw new AppError("invalid_request", "force is true or false");
    return c.json(await need(s).remove(c.req.param("node"), force === "true"));
  });
  r.get("/join-command", async (c) => {
    const role = c.req.query("role") ?? "worker";
    if (role !== "worker" && role !== "manager") throw new AppError("invalid_request", "role is worker or manager");
    return c.json(await need(s).joinCommand(role));
  });
  r.get("/registry", (c) => c.json({ registry: s.registry.view() }));
  r.put("/registry", async (c) => {
    const body = await readJson(c.req.raw);
    return c.json({ registry: s.registry.set({ url: body.url, username: body.username, password: body.password }) });
  });
  r.delete("/registry", (c) => {
    s.registry.unset();
    return c.json({ registry: null });
  });
  return r;
}
