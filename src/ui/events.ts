import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { ApiServices } from "../api/services.js";
import { appView } from "../api/views.js";
import { principalOf } from "../accounts/principal.js";
import { canSeeApp } from "../accounts/types.js";
import { authenticate } from "../accounts/authenticate.js";
import { SESSION_COOKIE } from "../accounts/routes.js";
import { getCookie } from "hono/cookie";

/** How often the stream looks for changes; a status shows in the UI within this. */
const TICK_MS = Number(process.env.YADOKARI_EVENTS_TICK_MS ?? 1000);

/**
 * GET /api/v1/events: server-sent events for the web UI. An `apps` event
 * carries every app the caller may see (status, live release, last deploy)
 * whenever any of it changes, so pages never go stale; a comment every 15 s
 * keeps proxies from closing an idle stream. The caller is authenticated
 * again at every tick: the stream ends when their token, session or account
 * is gone, and follows their grants as they change.
 */
export function eventRoutes(s: ApiServices): Hono {
  const r = new Hono();
  r.get("/", (c) => {
    const headers = c.req.raw.headers;
    const cookie = getCookie(c, SESSION_COOKIE);
    principalOf(c); // authenticated by the middleware
    return streamSSE(c, async (stream) => {
      let last = "";
      let idle = 0;
      let open = true;
      stream.onAbort(() => void (open = false));
      while (open) {
        // Asked again at every tick: a removed user, a revoked token or a narrowed grant takes effect now.
        const p = authenticate(headers, cookie, s.accounts);
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
    });
  });
  return r;
}
