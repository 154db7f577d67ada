import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { access } from "../../accounts/policy.js";
import { SESSION_TTL_MS } from "../../accounts/accounts.js";
import { clientIp, principalOf } from "../../accounts/principal.js";
import { auditWords } from "../../accounts/audit-words.js";
import type { AppError } from "../../errors/app-error.js";
import type { ApiRouter } from "../app.js";
import type { ApiServices } from "../services.js";
import { LIMITS } from "../body-limit.js";
import { SESSION_COOKIE } from "../guard.js";
import { defineRoute } from "../route.js";
import { deployView } from "../views.js";
import { json, jsonBody, optionalJsonBody } from "../schemas/common.js";
import { AppName, PageLimit, RowId } from "../schemas/ids.js";
import {
  AuditEntryView,
  Login,
  LoginAnswer,
  MeView,
  NewToken,
  NewUser,
  TokenCreated,
  TokenView,
  UserChange,
  UserChanged,
  UserCreated,
  UserView,
} from "../schemas/accounts.js";

/**
 * Served over HTTPS: directly, or through the router's HTTPS listener (which
 * sets X-Forwarded-Proto from the connection). A client that forges the
 * header only makes its own cookie Secure, which costs it nothing.
 */
export const isHttps = (c: Context) =>
  new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https";
const EmailParams = z.strictObject({ email: z.string().max(254) });

const loginState = defineRoute({
  method: "get",
  path: "/api/v1/session",
  summary: "Whether the first admin user is still to be created (the login page offers it then)",
  access: access.public("the login page asks before anyone has logged in"),
  responses: { 200: json(z.strictObject({ firstAdminNeeded: z.boolean() })) },
});

const login = defineRoute({
  method: "post",
  path: "/api/v1/session",
  summary:
    "Log in with email and password: a browser gets an HttpOnly session cookie and the CSRF token to send with every change; with `token` the answer carries a personal API token instead (yk login)",
  access: access.public("logging in is how credentials are obtained; attempts are rate limited and audited"),
  bodyLimit: LIMITS.login,
  request: { body: jsonBody(Login) },
  responses: { 201: json(LoginAnswer, "Logged in") },
  errors: [401, 403, 429],
});

const logout = defineRoute({
  method: "delete",
  path: "/api/v1/session",
  summary: "Log out: end this browser session",
  access: access.user(),
  responses: { 200: json(z.strictObject({ loggedOut: z.literal(true) })) },
});

const me = defineRoute({
  method: "get",
  path: "/api/v1/me",
  summary: "Who is calling: name, role, apps, and the CSRF token of a browser session",
  access: access.user(),
  responses: { 200: json(MeView) },
});

const listUsers = defineRoute({
  method: "get",
  path: "/api/v1/users",
  summary: "List users",
  access: access.admin(),
  responses: { 200: json(z.array(UserView)) },
});

const addUser = defineRoute({
  method: "post",
  path: "/api/v1/users",
  summary: "Add a user; without a password an initial one is generated and returned once",
  access: access.admin(),
  request: { body: jsonBody(NewUser) },
  responses: { 201: json(UserCreated, "Created") },
  errors: [409, 422],
});

const changeUser = defineRoute({
  method: "patch",
  path: "/api/v1/users/{email}",
  summary:
    "Change a user's role, app grants or password (a new password or a lower role ends their sessions; a new password revokes their API tokens unless keepTokens)",
  access: access.admin(),
  request: { params: EmailParams, body: jsonBody(UserChange) },
  responses: { 200: json(UserChanged) },
  errors: [404, 422],
});

const removeUser = defineRoute({
  method: "delete",
  path: "/api/v1/users/{email}",
  summary: "Remove a user with their tokens and sessions",
  access: access.admin(),
  request: { params: EmailParams },
  responses: { 200: json(z.strictObject({ removed: z.string() })) },
  errors: [404],
});

const listTokens = defineRoute({
  method: "get",
  path: "/api/v1/tokens",
  summary: "The caller's personal API tokens (never their secrets)",
  access: access.user(),
  responses: { 200: json(z.array(TokenView)) },
});

const createToken = defineRoute({
  method: "post",
  path: "/api/v1/tokens",
  summary: "Create a personal API token; its secret is in this answer only",
  access: access.user({ personal: true }),
  request: { body: optionalJsonBody(NewToken) },
  responses: { 201: json(TokenCreated, "Created") },
});

const revokeToken = defineRoute({
  method: "delete",
  path: "/api/v1/tokens/{id}",
  summary: "Revoke one of the caller's tokens",
  access: access.user({ personal: true }),
  request: { params: z.strictObject({ id: RowId }) },
  responses: { 200: json(z.strictObject({ revoked: z.int() })) },
  errors: [404],
});

const audit = defineRoute({
  method: "get",
  path: "/api/v1/audit",
  summary:
    "The audit log, newest first: who changed what (in words: `summary`, names but never values), which app, when, from where, and the outcome; `before` (an entry id) pages back",
  access: access.admin(),
  request: {
    query: z.strictObject({
      app: AppName.optional(),
      limit: PageLimit(1000, 100),
      before: RowId.optional().openapi({ description: "only entries older than this entry id" }),
    }),
  },
  responses: { 200: json(z.array(AuditEntryView)) },
});

/** Logging in and out, who am I, users (admins), personal tokens, the audit log (admins). */
export function registerAccounts(r: ApiRouter, s: ApiServices): void {
  // the login page offers to create the first admin (with the admin token) until a user exists
  r.openapi(loginState, (c) => c.json({ firstAdminNeeded: s.accounts.users().length === 0 }, 200));

  r.openapi(login, async (c) => {
    const body = c.req.valid("json");
    const ip = clientIp(c);
    const attempted = body.email.slice(0, 254).toLowerCase();
    const record = (status: number, summary: string, action = "POST /api/v1/session", actor = attempted) =>
      s.audit.record({ actor, action, app: null, ip, status, ok: status < 400, summary });
    try {
      const user = await s.accounts.checkLogin(body.email, body.password, ip);
      const view = s.accounts.users().find((u) => u.email === user.email)!;
      if (body.token !== undefined) {
        const created = s.accounts.createToken(s.accounts.byUser(user, "token"), body.token);
        record(201, "logged in from the CLI (a personal token was made)", "POST /api/v1/session (token)", user.email);
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
      record(201, "logged in", undefined, user.email);
      return c.json({ user: view, csrf: session.csrf, expiresAt: session.expiresAt.toISOString() }, 201);
    } catch (e) {
      record((e as AppError).status ?? 500, `failed to log in: ${(e as AppError).code ?? "error"}`);
      throw e;
    }
  });

  r.openapi(logout, (c) => {
    const id = getCookie(c, SESSION_COOKIE);
    if (id) s.accounts.closeSession(id);
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: isHttps(c) });
    return c.json({ loggedOut: true as const }, 200);
  });

  r.openapi(me, (c) => {
    const p = principalOf(c);
    return c.json(
      {
        name: p.name,
        role: p.role,
        apps: p.allApps ? ("*" as const) : [...p.apps].sort(),
        via: p.via,
        ...(p.csrf ? { csrf: p.csrf } : {}),
      },
      200,
    );
  });

  r.openapi(listUsers, (c) => c.json(s.accounts.users(), 200));
  r.openapi(addUser, async (c) => c.json(await s.accounts.addUser(principalOf(c), c.req.valid("json")), 201));
  r.openapi(changeUser, async (c) =>
    c.json(await s.accounts.updateUser(c.req.valid("param").email, c.req.valid("json")), 200),
  );
  r.openapi(removeUser, (c) => c.json({ removed: s.accounts.removeUser(c.req.valid("param").email) }, 200));

  r.openapi(listTokens, (c) => c.json(s.accounts.tokens(principalOf(c)), 200));
  r.openapi(createToken, (c) => c.json(s.accounts.createToken(principalOf(c), c.req.valid("json").name), 201));
  r.openapi(revokeToken, (c) => {
    const { id } = c.req.valid("param");
    s.accounts.revokeToken(principalOf(c), id);
    return c.json({ revoked: id }, 200);
  });

  r.openapi(audit, (c) => {
    const { app, limit = 100, before } = c.req.valid("query");
    const lookup = {
      deploy: (id: number) => {
        const d = s.ctx.store.getDeploy(id);
        return d ? deployView(s.views, d) : null;
      },
      delivery: (app: string, provider: string, id: string) => s.gitflow.store.deliveryById(app, provider, id),
    };
    return c.json(
      s.audit
        .entries({ app, limit, before })
        // a refused or failed change did not happen: its words say so
        .map((e) => {
          const { link: _link, ...entry } = e;
          return { ...entry, summary: `${e.ok ? "" : "not done: "}${auditWords(e, lookup)}` };
        }),
      200,
    );
  });
}
