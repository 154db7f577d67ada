import { z } from "@hono/zod-openapi";
import { ROLES } from "../../accounts/types.js";
import { AppName, Timestamp } from "./ids.js";
import { TOKEN_NAME, TOKEN_NAME_RULE } from "../../domain/ids.js";

/** Users, tokens, sessions and the audit log. */

export const Role = z.enum(ROLES);
const Grants = z.union([z.literal("*"), z.array(z.string())]).openapi({ description: '"*" (every app) or app names' });

export const UserView = z
  .strictObject({ email: z.string(), role: Role, apps: Grants, createdAt: Timestamp, createdBy: z.string() })
  .openapi("User");

const Email = z.string().openapi({ example: "ana@example.com", description: "at most 254 characters" });
const Password = z.string().openapi({ description: "12 to 1024 characters" });
const GrantsIn = z.union([z.literal("*"), z.array(AppName).max(1000)]);

export const NewUser = z
  .strictObject({ email: Email, role: Role, apps: GrantsIn.optional(), password: Password.optional() })
  .openapi("NewUser");
export const UserChange = z
  .strictObject({
    role: Role.optional(),
    apps: GrantsIn.optional(),
    password: Password.optional(),
    keepTokens: z.boolean().optional().openapi({
      description: "with a new password: keep the user's API tokens (a new password revokes them by default)",
    }),
  })
  .openapi("UserChange");
export const UserChanged = z
  .strictObject({
    ...UserView.shape,
    tokensRevoked: z.int().openapi({ description: "how many API tokens the new password revoked" }),
  })
  .openapi("UserChanged");
export const UserCreated = z
  .strictObject({
    user: UserView,
    initialPassword: z.string().optional().openapi({ description: "generated when no password was given; shown once" }),
  })
  .openapi("UserCreated");

const TokenName = z.string().regex(TOKEN_NAME, { error: `expected ${TOKEN_NAME_RULE}` });

const tokenFields = { id: z.int(), name: z.string(), createdAt: Timestamp, lastUsedAt: Timestamp.nullable() };
export const TokenView = z.strictObject(tokenFields).openapi("Token");
export const TokenCreated = z
  .strictObject({ ...tokenFields, token: z.string().openapi({ description: "the secret: in this answer only" }) })
  .openapi("TokenCreated");
export const NewToken = z.strictObject({ name: TokenName.optional() }).openapi("NewToken");

export const Login = z
  .strictObject({
    email: z.string(),
    password: z.string(),
    token: TokenName.optional().openapi({
      description: "ask for a personal API token of this name instead of a cookie",
    }),
  })
  .openapi("Login");
export const LoginAnswer = z
  .union([
    z.strictObject({ user: UserView, csrf: z.string(), expiresAt: Timestamp }),
    z.strictObject({ user: UserView, token: z.string(), tokenId: z.int() }),
  ])
  .openapi("LoginAnswer");

export const MeView = z
  .strictObject({
    name: z.string(),
    role: Role,
    apps: Grants,
    via: z.enum(["token", "session"]),
    csrf: z.string().optional().openapi({ description: "a browser session's CSRF token: send it as X-CSRF-Token" }),
  })
  .openapi("Me");

export const AuditEntryView = z
  .strictObject({
    id: z.int(),
    at: Timestamp,
    actor: z.string(),
    action: z.string().openapi({ description: "the method and path, as sent" }),
    summary: z.string().openapi({
      description: "what happened, in words; a deploy it started says how it ended; 'not done: …' if refused",
    }),
    app: z.string().nullable(),
    ip: z.string(),
    status: z.int(),
    ok: z.boolean(),
  })
  .openapi("AuditEntry");
