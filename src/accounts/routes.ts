import { Hono, type Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { AppError } from "../errors/app-error.js";
import { readJson } from "../api/read-json.js";
import type { ApiServices } from "../api/services.js";
import { SESSION_TTL_MS } from "./accounts.js";
import { clientIp, principalOf } from "./principal.js";
import { auditWords } from "./audit-words.js";
import { deployView } from "../api/views.js";

export const SESSION_COOKIE = "yk_session";

/**
 * Served over HTTPS: directly, or through the router's HTTPS listener (which
 * sets X-Forwarded-Proto from the connection). A client that forges the
 * header only makes its own cookie Secure, which costs it nothing.
 */
export const isHttps = (c: Context) =>
  new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https";

/**
 * POST /api/v1/session: log in with email and password. A browser gets an
 * HttpOnly, SameSite=Lax cookie (Secure over TLS) and the CSRF token to send
 * with every change; the CLI asks for a personal token instead. Mounted
 * before the auth middleware; every attempt is audited.
 */
export function loginRoutes(s: ApiServices): Hono {
  const r = new Hono();
  // the login page offers to create the first admin (with the admin token) until a user exists
  r.get("/", (c) => c.json({ firstAdminNeeded: s.accounts.users().length === 0 }));
  r.post("/", async (c) => {
    const body = await readJson(c.req.raw);
    const ip = clientIp(c);
    const attempted = typeof body.email === "string" ? body.email.slice(0, 254).toLowerCase() : "?";
    try {
      const user = await s.accounts.checkLogin(body.email, body.password, ip);
      const view = s.accounts.users().find((u) => u.email === user.email)!;
      if (body.token !== undefined) {
        const p = s.accounts.byUser(user, "token");
        const created = s.accounts.createToken(p, body.token);
        s.audit.record({
          actor: user.email,
          action: "POST /api/v1/session (token)",
          app: null,
          ip,
          status: 201,
          ok: true,
          summary: "logged in from the CLI (a personal token was made)",
        });
        return c.json({ user: view, token: created.token, tokenId: created.id }, 201);
      }
      const session = s.accounts.openSession(user);
      setCookie(c, SESSION_COOKIE, session.sessionId, {
        httpOnly: true,
        sameSite: "Lax",
        secure: isHttps(c),
        path: "/",
        maxAge: Math.floor(SESSION_TTL_MS / 1000),
      });
      s.audit.record({
        actor: user.email,
        action: "POST /api/v1/session",
        app: null,
        ip,
        status: 201,
        ok: true,
        summary: "logged in",
      });
      return c.json({ user: view, csrf: session.csrf, expiresAt: session.expiresAt.toISOString() }, 201);
    } catch (e) {
      s.audit.record({
        actor: attempted,
        action: "POST /api/v1/session",
        app: null,
        ip,
        status: (e as AppError).status ?? 500,
        ok: false,
        summary: `failed to log in: ${(e as AppError).code ?? "error"}`,
      });
      throw e;
    }
  });
  return r;
}

/** The caller's own session and identity (behind the auth middleware). */
export function sessionRoutes(s: ApiServices): Hono {
  const r = new Hono();
  r.delete("/session", (c) => {
    const id = getCookie(c, SESSION_COOKIE);
    if (id) s.accounts.closeSession(id);
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: isHttps(c) });
    return c.json({ loggedOut: true });
  });
  r.get("/me", (c) => {
    const p = principalOf(c);
    return c.json({
      name: p.name,
      role: p.role,
      apps: p.allApps ? "*" : [...p.apps].sort(),
      via: p.via,
      ...(p.csrf ? { csrf: p.csrf } : {}),
    });
  });
  return r;
}

/** Users, admins only (the policy says so). */
export function userRoutes(s: ApiServices): Hono {
  const r = new Hono();
  r.get("/", (c) => c.json(s.accounts.users()));
  r.post("/", async (c) => c.json(await s.accounts.addUser(principalOf(c), await readJson(c.req.raw)), 201));
  r.patch("/:email", async (c) => c.json(await s.accounts.updateUser(c.req.param("email"), await readJson(c.req.raw))));
  r.delete("/:email", (c) => c.json({ removed: s.accounts.removeUser(c.req.param("email")) }));
  return r;
}

/** The caller's personal API tokens. */
export function tokenRoutes(s: ApiServices): Hono {
  const r = new Hono();
  r.get("/", (c) => c.json(s.accounts.tokens(principalOf(c))));
  r.post("/", async (c) => c.json(s.accounts.createToken(principalOf(c), (await readJson(c.req.raw)).name), 201));
  r.delete("/:id", (c) => {
    const id = Number(c.req.param("id"));
    if (!Number.isSafeInteger(id) || id < 1)
      throw new AppError("invalid_request", "a token id is a positive whole number");
    s.accounts.revokeToken(principalOf(c), id);
    return c.json({ revoked: id });
  });
  return r;
}

/** The audit log, newest first, admins only; `before` (an entry id) pages back. */
export function auditRoutes(s: ApiServices): Hono {
  const r = new Hono();
  r.get("/", (c) => {
    const app = c.req.query("app");
    const limit = Number(c.req.query("limit") ?? 100);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000)
      throw new AppError("invalid_request", "limit must be a whole number from 1 to 1000");
    const beforeText = c.req.query("before");
    const before = beforeText === undefined ? undefined : Number(beforeText);
    if (before !== undefined && (!Number.isSafeInteger(before) || before < 1))
      throw new AppError("invalid_request", "before must be an entry id (a whole number from 1)");
    const lookup = {
      deploy: (id: number) => {
        const d = s.ctx.store.getDeploy(id);
        return d ? deployView(s.views, d) : null;
      },
      delivery: (app: string, provider: string, id: string) => s.gitflow.store.deliveryById(app, provider, id),
    };
    return c.json(
      s.audit
        .entries({ app: app || undefined, limit, before })
        // a refused or failed change did not happen: its words say so
        .map((e) => ({ ...e, summary: `${e.ok ? "" : "not done: "}${auditWords(e, lookup)}`, link: undefined })),
    );
  });
  return r;
}
