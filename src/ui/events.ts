import { z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import type { ApiRouter } from "../api/app.js";
import type { ApiServices } from "../api/services.js";
import { appView } from "../api/views.js";
import { defineRoute } from "../api/route.js";
import type { TextStream } from "../api/text-stream.js";
import { access } from "../accounts/policy.js";
import { canSeeApp } from "../accounts/types.js";
import { authenticate, SESSION_COOKIE } from "../api/guard.js";
import { getCookie } from "hono/cookie";

const events = defineRoute({
  method: "get",
  path: "/api/v1/events",
  summary:
    "Server-sent events for the web UI: an `apps` event with every app the caller may see (App plus lastDeploy) whenever any of it changes",
  access: access.user(),
  responses: {
    200: { description: "an event stream", content: { "text/event-stream": { schema: z.string() } } },
  },
});

/**
 * GET /api/v1/events (its tick is YADOKARI_EVENTS_TICK_MS): server-sent events for the web UI. An `apps` event
 * carries every app the caller may see (status, live release, last deploy)
 * whenever any of it changes, so pages never go stale; a comment every 15 s
 * keeps proxies from closing an idle stream. The caller is authenticated
 * again at every tick: the stream ends when their token, session or account
 * is gone, and follows their grants as they change.
 */
export function registerEvents(r: ApiRouter, s: ApiServices): void {
  const TICK_MS = s.eventsTickMs;
  r.openapi(events, (c) => {
    // the guard authenticated the caller; the stream asks again with the same credentials at every tick
    const deps = c.get("deps");
    const headers = c.req.raw.headers;
    const cookie = getCookie(c, SESSION_COOKIE);
    return streamSSE(c, async (stream) => {
      let last = "";
      let idle = 0;
      let open = true;
      stream.onAbort(() => void (open = false));
      while (open) {
        // Asked again at every tick: a removed user, a revoked token or a narrowed grant takes effect now.
        const p = authenticate(deps, headers, cookie);
        if (!p) break;
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
    }) as unknown as TextStream;
  });
}
