import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { timingSafeEqual } from "node:crypto";
import { AppError } from "../errors/app-error.js";
import { decide, type Access } from "../accounts/policy.js";
import { clientIp, setPrincipal } from "../accounts/principal.js";
import type { Principal } from "../accounts/types.js";
import { tokenFromHeader } from "./auth.js";
import type { ApiEnv, RequestDeps } from "./context.js";

export const SESSION_COOKIE = "yk_session";

/** The guard middleware of a route carries its declaration, so a test can list every route's access. */
export const ACCESS = Symbol("access");
export type Guard = MiddlewareHandler<ApiEnv> & { [ACCESS]: Access };

/** A Bearer token (or git's Basic password) first, else the browser's session cookie. */
export function authenticate(
  deps: Pick<RequestDeps, "accounts">,
  headers: Headers,
  sessionCookie: string | undefined,
): Principal | null {
  const token = tokenFromHeader(headers.get("authorization"));
  if (token) return deps.accounts.byToken(token);
  return deps.accounts.bySession(sessionCookie);
}

/**
 * A change made with a session cookie must carry the session's CSRF token
 * (a header another site's form cannot set) and, when the browser says
 * where it comes from, come from this origin.
 */
export function checkCsrf(headers: Headers, p: Principal): void {
  const sent = Buffer.from(headers.get("x-csrf-token") ?? "");
  const expected = Buffer.from(p.csrf ?? "");
  if (!expected.length || sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
    throw new AppError("csrf_failed", "this change came without the session's CSRF token");
  }
  const origin = headers.get("origin");
  if (origin && origin !== "null") {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      host = "";
    }
    if (host !== headers.get("host"))
      throw new AppError("csrf_failed", `a change from another origin (${origin}) was refused`);
  }
}

/**
 * Enforces one route's declared access: authenticates (401), checks CSRF for
 * session changes (403), asks the policy (403, or 404 for an app the caller
 * may not see), and audits every change (method, path, app, status; never a
 * body). Runs before the route reads or validates anything.
 */
export function guard(access: Access): Guard {
  const mw: MiddlewareHandler<ApiEnv> = async (c, next) => {
    if (access.kind === "public") return next();
    const deps = c.get("deps");
    const p = authenticate(deps, c.req.raw.headers, getCookie(c, SESSION_COOKIE));
    if (!p) throw new AppError("unauthorized", "missing or invalid API token or session");
    const method = c.req.method;
    const changes = method !== "GET" && method !== "HEAD";
    const app = c.req.param("app") as string | undefined;
    let status = 500;
    let createdApp: string | null = null;
    try {
      if (p.via === "session" && changes) checkCsrf(c.req.raw.headers, p);
      const d = decide(p, access, app);
      if (!d.allow) throw new AppError(d.status === 404 ? "not_found" : "forbidden", d.message);
      setPrincipal(c, p);
      c.set("log", c.get("log").child({ actor: p.name }));
      await next();
      status = c.res.status;
      // a created app's name is in the body, not the path
      if (access.kind === "createApp" && status === 201)
        createdApp = ((await c.res.clone().json()) as { name?: string }).name ?? null;
    } catch (e) {
      status = (e as AppError).status ?? 500;
      throw e;
    } finally {
      if (changes)
        deps.audit.record({
          actor: p.name,
          action: `${method} ${c.req.path}`,
          app: createdApp ?? app ?? null,
          ip: clientIp(c),
          status,
          ok: status < 400,
        });
    }
  };
  return Object.assign(mw, { [ACCESS]: access });
}

export const accessOf = (handler: unknown): Access | undefined =>
  typeof handler === "function" ? (handler as Partial<Guard>)[ACCESS] : undefined;
