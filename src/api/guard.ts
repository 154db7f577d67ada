import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { timingSafeEqual } from "node:crypto";
import { AppError } from "../errors/app-error.js";
import { decide, type Access } from "../accounts/policy.js";
import { clientIp, setPrincipal } from "../accounts/principal.js";
import { describeChange } from "../accounts/audit-words.js";
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
 * session changes (403), asks the policy (403 with a hint saying what would
 * help, or 404 for an app the caller may not see), and audits every change:
 * method, path, app, status, and the change in words (src/accounts/audit-words.ts),
 * which take names (never values) from the body the route validated and the
 * answer it gave. Runs before the route reads or validates anything, and
 * reads no body itself.
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
    let answer: unknown = null;
    try {
      if (p.via === "session" && changes) checkCsrf(c.req.raw.headers, p);
      const d = decide(p, access, app);
      if (!d.allow) throw new AppError(d.status === 404 ? "not_found" : "forbidden", d.message, d.hint);
      setPrincipal(c, p);
      c.set("log", c.get("log").child({ actor: p.name }));
      await next();
      status = c.res.status;
      // the words take names from the answer too (a created app's name, a deploy's id): a change's answer is small
      if (changes && status < 400 && isJson(c.res.headers))
        answer = await c.res
          .clone()
          .json()
          .catch(() => null);
    } catch (e) {
      status = (e as AppError).status ?? 500;
      throw e;
    } finally {
      if (changes) {
        const words = describeChange({
          method,
          path: c.req.path.slice("/api/v1".length),
          query: new URL(c.req.url).searchParams,
          body: validatedBody(c),
          response: answer,
        });
        // a created app's name is in the answer, not the path
        const createdApp = access.kind === "createApp" && status === 201 ? nameOf(answer) : null;
        deps.audit.record({
          actor: p.name,
          action: `${method} ${c.req.path}`,
          app: createdApp ?? app ?? null,
          ip: clientIp(c),
          status,
          ok: status < 400,
          summary: words.summary,
          link: status < 400 ? words.link : null,
        });
      }
    }
  };
  return Object.assign(mw, { [ACCESS]: access });
}

const isJson = (h: Headers) => (h.get("content-type") ?? "").startsWith("application/json");
const nameOf = (v: unknown) =>
  typeof v === "object" && v !== null && typeof (v as { name?: unknown }).name === "string"
    ? (v as { name: string }).name
    : null;

/**
 * The JSON body as the route's schema validated it, or null (no JSON body, or
 * one the route refused: nothing was changed then, and its words say "?").
 */
function validatedBody(c: Context<ApiEnv>): Record<string, unknown> | null {
  const v = (c.req as unknown as { valid(target: string): unknown }).valid("json");
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

export const accessOf = (handler: unknown): Access | undefined =>
  typeof handler === "function" ? (handler as Partial<Guard>)[ACCESS] : undefined;
