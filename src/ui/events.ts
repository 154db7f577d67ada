import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { ApiServices } from "../api/services.js";
import { appView } from "../api/views.js";
import { principalOf } from "../accounts/principal.js";
import { canSeeApp } from "../accounts/types.js";

/** How often the stream looks for changes; a status shows in the UI within this. */
const TICK_MS = Number(process.env.YADOKARI_EVENTS_TICK_MS ?? 1000);

/**
 * GET /api/v1/events: server-sent events for the web UI. An `apps` event
 * carries every app the caller may see (status, live release, last deploy)
 * whenever any of it changes, so pages never go stale; a comment every 15 s
 * keeps proxies from closing an idle stream.
 */
export function eventRoutes(s: ApiServices): Hono {
  const r = new Hono();
  r.get("/", (c) => {
    const p = principalOf(c);
    return streamSSE(c, async (stream) => {
      let last = "";
      let idle = 0;
      let open = true;
      stream.onAbort(() => void (open = false));
      while (open) {
        const apps = s.ctx.store
          .listApps()
          .filter((a) => canSeeApp(p, a.name))
          .map((a) => {
            const lastDeploy = s.ctx.store.listDeploys(a.name, 1)[0];
            return {
              ...appView(s.views, a),
              lastDeploy: lastDeploy
                ? {
                    id: lastDeploy.id,
                    status: lastDeploy.status,
                    createdAt: lastDeploy.createdAt,
                    finishedAt: lastDeploy.finishedAt,
                  }
                : null,
            };
          });
        const data = JSON.stringify(apps);
        if (data !== last) {
          last = data;
          idle = 0;
          await stream.writeSSE({ event: "apps", data });
        } else if ((idle += TICK_MS) >= 15_000) {
          idle = 0;
          await stream.write(": keep-alive\n\n");
        }
        await stream.sleep(TICK_MS);
      }
    });
  });
  return r;
}
