import { z } from "@hono/zod-openapi";
import { access } from "../../accounts/policy.js";
import { mergeByTime } from "../../engine/log-merge.js";
import { splitLines } from "../../lib/lines.js";
import type { OwnedUnit } from "../../engine/units.js";
import type { ApiRouter } from "../app.js";
import type { ApiServices } from "../services.js";
import { defineRoute } from "../route.js";
import { json, textStream as textDoc } from "../schemas/common.js";
import { AppName, Follow, ProcessType } from "../schemas/ids.js";
import { ContainerView } from "../schemas/apps.js";
import { textStream } from "../text-stream.js";

const AppParams = z.strictObject({ app: AppName });

const listContainers = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/ps",
  summary: "The app's containers",
  access: access.app("viewer"),
  request: { params: AppParams },
  responses: { 200: json(z.array(ContainerView)) },
  errors: [503],
});

const logs = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/logs",
  summary: "Container logs, each line prefixed with its process and container, merged in time order",
  access: access.app("viewer"),
  request: {
    params: AppParams,
    query: z.strictObject({
      tail: z
        .string()
        .regex(/^\d{1,5}$/, { error: "expected a whole number from 0 to 10000" })
        .transform(Number)
        .refine((n) => n <= 10000, { error: "expected a whole number from 0 to 10000" })
        .optional()
        .openapi({ type: "string", description: "lines per container (default 100, at most 10000)" }),
      process: ProcessType.optional().openapi({ description: "only this process type" }),
      follow: Follow,
    }),
  },
  responses: { 200: textDoc("log lines") },
  errors: [503],
});

/** What runs: containers and their logs. */
export function registerRuntime(r: ApiRouter, s: ApiServices): void {
  r.openapi(listContainers, async (c) => {
    const app = s.apps.get(c.req.valid("param").app);
    const routed = new Set(
      s.ctx.store
        .routedServers(app.name)
        .filter((x) => x.state === "ready")
        .map((x) => x.unitId),
    );
    const list = await s.ctx.units.list({ app: app.name });
    return c.json(
      list.map((x) => ({
        id: x.id.slice(0, 12),
        name: x.name,
        process: x.process,
        release: x.releaseVersion,
        state: x.state,
        status: x.status,
        address: x.endpoint?.address ?? null,
        node: x.node,
        startedAt: x.startedAt,
        routed: routed.has(x.id),
      })),
      200,
    );
  });

  r.openapi(logs, async (c) => {
    const app = s.apps.get(c.req.valid("param").app);
    const { tail = 100, process, follow } = c.req.valid("query");
    const containers = (await s.ctx.units.list({ app: app.name })).filter(
      (x) => process === undefined || x.process === process,
    );
    const source = (x: OwnedUnit) => `${x.process}.${x.name}`;
    // The last lines of every container, merged in time order; then, with follow, new lines as they come.
    const past = mergeByTime(
      await Promise.all(
        containers.map(async (x) => ({
          source: source(x),
          lines: splitLines(await s.ctx.units.logsTail(x.id, tail, true)),
        })),
      ),
      tail,
    );
    return textStream((w) => {
      for (const l of past) w.line(l);
      if (!follow) {
        w.end();
        return () => {};
      }
      const abort = new AbortController();
      void Promise.all(
        containers
          .filter((x) => x.state === "running")
          .map((x) =>
            s.ctx.units
              .followLogs(x.id, {
                tail: 0,
                follow: true,
                timestamps: true,
                signal: abort.signal,
                onLine: (l) => w.line(mergeByTime([{ source: source(x), lines: [l] }], 1)[0]),
              })
              .catch(() => {}),
          ),
      ).then(() => w.end());
      return () => abort.abort();
    });
  });
}
