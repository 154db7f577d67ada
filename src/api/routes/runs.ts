import { z } from "@hono/zod-openapi";
import { access } from "../../accounts/policy.js";
import { parseRunRequest } from "../../runs/validate.js";
import type { ApiRouter } from "../app.js";
import type { ApiServices } from "../services.js";
import { LIMITS } from "../body-limit.js";
import { defineRoute, documentOnly } from "../route.js";
import { json, jsonBody } from "../schemas/common.js";
import { AppName, RunId } from "../schemas/ids.js";
import { RunCreated, RunRequest, RunView, TerminalSize } from "../schemas/work.js";

const AppParams = z.strictObject({ app: AppName });
const RunParams = z.strictObject({ app: AppName, id: RunId });
const Side = z
  .string()
  .regex(/^\d{1,4}$/, { error: "expected a whole number from 1 to 1000" })
  .openapi({ type: "string" });

const createRun = defineRoute({
  method: "post",
  path: "/api/v1/apps/{app}/runs",
  summary:
    "Create a one-off run of the live release (argv, no shell); attach to it (below) to start it, or detach: true to start it now with its output in the app's logs",
  access: access.app("deployer"),
  bodyLimit: LIMITS.large,
  request: { params: AppParams, body: jsonBody(RunRequest) },
  responses: { 201: json(RunCreated, "Created") },
  errors: [409, 503],
});

const showRun = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/runs/{id}",
  summary: "A run's state and exit code (kept 10 minutes after an attached run's container is removed)",
  access: access.app("viewer"),
  request: { params: RunParams },
  responses: { 200: json(RunView) },
  errors: [503],
});

const removeRun = defineRoute({
  method: "delete",
  path: "/api/v1/apps/{app}/runs/{id}",
  summary: "Stop the run and remove its container (an attached run's session then ends)",
  access: access.app("deployer"),
  request: { params: RunParams },
  responses: { 200: json(z.strictObject({ id: z.string(), stopped: z.literal(true) })) },
  errors: [503],
});

const resizeRun = defineRoute({
  method: "post",
  path: "/api/v1/apps/{app}/runs/{id}/resize",
  summary: "Resize a run's TTY",
  access: access.app("deployer"),
  request: { params: RunParams, body: jsonBody(TerminalSize) },
  responses: { 200: json(TerminalSize) },
  errors: [503],
});

/**
 * The attach route is an HTTP upgrade (raw bytes both ways), which Hono never
 * sees: src/api/run-attach.ts serves it, deciding with this same declaration.
 * It is registered for the document only.
 */
export const attachRoute = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/runs/{id}/attach",
  summary:
    "Attach to a run and start it: send 'Connection: Upgrade' and 'Upgrade: tcp'; after 101 Switching Protocols the connection carries stdin one way and the output the other (src/runs/contract.ts)",
  access: access.app("deployer"),
  request: { params: RunParams, query: z.strictObject({ rows: Side.optional(), cols: Side.optional() }) },
  responses: { 101: { description: "Switching Protocols: the run started" } },
  errors: [409, 503],
});

/** One-off runs. */
export function registerRuns(r: ApiRouter, s: ApiServices): void {
  r.openapi(createRun, async (c) => {
    const app = s.apps.get(c.req.valid("param").app);
    return c.json(await s.runs.create(app.name, parseRunRequest(c.req.valid("json"))), 201);
  });
  r.openapi(showRun, async (c) => {
    const { app, id } = c.req.valid("param");
    return c.json(await s.runs.get(s.apps.get(app).name, id), 200);
  });
  r.openapi(removeRun, async (c) => {
    const { app, id } = c.req.valid("param");
    await s.runs.remove(s.apps.get(app).name, id);
    return c.json({ id, stopped: true as const }, 200);
  });
  r.openapi(resizeRun, async (c) => {
    const { app, id } = c.req.valid("param");
    const size = c.req.valid("json");
    await s.runs.resize(s.apps.get(app).name, id, size);
    return c.json({ rows: size.rows, cols: size.cols }, 200);
  });
  r.openAPIRegistry.registerPath(documentOnly(attachRoute));
}
