import { Hono } from "hono";
import { countParam, flagParam } from "../query-params.js";
import type { ApiServices } from "../services.js";
import type { ContainerView } from "../contract.js";
import { AppError } from "../../errors/app-error.js";
import { textStream } from "../text-stream.js";
import { mergeByTime } from "../../engine/log-merge.js";
import { splitLines } from "../../lib/lines.js";
import { validateProcessType } from "../../domain/names.js";
import type { ObservedContainer } from "../../docker/port.js";

/** What runs: containers and their logs. */
export function runtimeRoutes(s: ApiServices): Hono {
  const r = new Hono();

  r.get("/:app/ps", async (c) => {
    const app = s.apps.get(c.req.param("app"));
    const routed = new Set(
      s.ctx.store
        .routedServers(app.name)
        .filter((x) => x.state === "ready")
        .map((x) => x.containerId),
    );
    const list = await s.ctx.docker.list({ app: app.name });
    const views: ContainerView[] = list.map((x) => ({
      id: x.id.slice(0, 12),
      name: x.name,
      process: x.process,
      release: x.release,
      state: x.state,
      status: x.status,
      address: x.ip,
      startedAt: x.startedAt,
      routed: routed.has(x.id),
    }));
    return c.json(views);
  });

  r.get("/:app/logs", async (c) => {
    const app = s.apps.get(c.req.param("app"));
    const tail = countParam(c.req.query("tail"), "tail", 0, 10000, 100);
    const process = c.req.query("process");
    if (process !== undefined) validateProcessType(process);
    const follow = flagParam(c.req.query("follow"), "follow");
    const containers = (await s.ctx.docker.list({ app: app.name })).filter(
      (x) => process === undefined || x.process === process,
    );
    const source = (x: ObservedContainer) => `${x.process}.${x.name}`;
    // The last lines of every container, merged in time order; then, with follow, new lines as they come.
    const past = mergeByTime(
      await Promise.all(
        containers.map(async (x) => ({
          source: source(x),
          lines: splitLines(await s.ctx.docker.logsTail(x.id, tail, true)),
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
            s.ctx.docker
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
  return r;
}
