import { Hono } from "hono";
import type { Operations } from "./operations.js";

/**
 * /api/v1/status (and, beside it, doctor and backups): about Yadokari itself,
 * so admins only (the policy's default for areas other than apps).
 */
export function opsRoutes(ops: Operations): Hono {
  const r = new Hono();
  r.get("/status", async (c) => c.json(await ops.status()));
  return r;
}
