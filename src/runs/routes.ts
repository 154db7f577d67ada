import { Hono } from "hono";
import type { ApiServices } from "../api/services.js";
import { readJson } from "../api/read-json.js";
import { AppError } from "../errors/app-error.js";
import { parseRunRequest, parseSize } from "./validate.js";

/** One-off runs; attaching is an HTTP upgrade (src/runs/attach.ts). */
export function runRoutes(s: ApiServices): Hono {
  const runs = s.runs;
  const r = new Hono();
  r.post("/:app/runs", async (c) => {
    const app = s.apps.get(c.req.param("app"));
    const req = parseRunRequest(await readJson(c.req.raw));
    return c.json(await runs.create(app.name, req), 201);
  });
  r.get("/:app/runs/:id", async (c) => {
    const app = s.apps.get(c.req.param("app"));
    return c.json(await runs.get(app.name, c.req.param("id")));
  });
  r.delete("/:app/runs/:id", async (c) => {
    const app = s.apps.get(c.req.param("app"));
    const id = c.req.param("id");
    await runs.remove(app.name, id);
    return c.json({ id, stopped: true });
  });
  r.post("/:app/runs/:id/resize", async (c) => {
    const app = s.apps.get(c.req.param("app"));
    const body = await readJson(c.req.raw);
    const size = parseSize(body.rows, body.cols);
    if (!size) throw new AppError("invalid_request", "rows and cols must be whole numbers from 1 to 1000");
    await runs.resize(app.name, c.req.param("id"), size);
    return c.json({ rows: size.rows, cols: size.cols });
  });
  return r;
}
