import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AppError } from "../errors/app-error.js";
import { validateAppName } from "../domain/names.js";
import { TOKEN_NAME, TOKEN_NAME_RULE } from "../domain/ids.js";
import type { Clock } from "../lib/clock.js";
import type { AccountStore, TokenRow, UserRow } from "./account-store.js";
import { LoginLimiter } from "./login-limiter.js";
import { DUMMY_HASH, hashPassword, initialPassword, passwordProblem, verifyPassword } from "./password.js";
import { ROLES, type Principal, type Role, type UserView } from "./types.js";

const sha256 = (secret: string) => createHash("sha256").update(secret, "utf8").digest();
const newSecret = (prefix: string) => `${prefix}${randomBytes(24).toString("base64url")}`;
/** Browser sessions last this long from login. */
export const SESSION_TTL_MS = 12 * 3600_000;
const EMAIL = /^[^\s@]{1,64}@[^\s@.][^\s@]{0,188}$/;

export interface TokenView {
  id: number;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}
export interface UserInput {
  email?: unknown;
  role?: unknown;
  apps?: unknown;
  password?: unknown;
  /** with a new password: keep the user's API tokens (they are revoked by default) */
  keepTokens?: unknown;
}

const invalid = (message: string) => new AppError("invalid_user", message);

function parseEmail(v: unknown): string {
  if (typeof v !== "string" || v.length > 254 || !EMAIL.test(v))
    throw invalid("email must be an address such as ana@example.com (at most 254 characters)");
  return v.toLowerCase();
}
function parseRole(v: unknown): Role {
  if (!ROLES.includes(v as Role)) throw invalid(`role must be one of ${ROLES.join(", ")}`);
  return v as Role;
}
function parseApps(v: unknown): string[] | "*" {
  if (v === "*") return "*";
  if (!Array.isArray(v) || v.length > 1000) throw invalid('apps must be "*" (every app) or a list of app names');
  return [...new Set(v.map((a) => validateAppName(a)))];
}
function parseNewPassword(v: unknown): string {
  const problem = passwordProblem(v);
  if (problem) throw invalid(problem);
  return v as string;
}

/**
 * Users, personal tokens and browser sessions: who is calling. Tokens and
 * session ids are random secrets stored only as SHA-256; a presented token
 * is compared against every stored hash in constant time, with no early exit.
 */
export class Accounts {
  readonly limiter: LoginLimiter;
  private readonly touched = new Map<number, number>();

  constructor(
    private readonly store: AccountStore,
    private readonly clock: Clock,
    private readonly parentOf: (app: string) => string | null = () => null,
    /** grants name apps that exist: a grant left for a future app of that name would hand it over */
    private readonly appExists: (app: string) => boolean = () => true,
  ) {
    this.limiter = new LoginLimiter(clock);
  }

  /** Creates the bootstrap admin token on first start and writes it once, mode 0600. */
  bootstrapAdmin(dataDir: string): { created: boolean; path: string } {
    const path = join(dataDir, "admin-token");
    if (this.store.tokens().some((t) => t.user_id === null)) return { created: false, path };
    const token = newSecret("yk_");
    this.store.addBootstrapToken(sha256(token).toString("hex"));
    writeFileSync(path, token + "\n", { mode: 0o600 });
    chmodSync(path, 0o600); // a file left by an earlier install keeps its mode otherwise
    return { created: true, path };
  }

  /** The principal of a user row (after a password login, or from a token or session). */
  byUser(u: UserRow, via: Principal["via"], csrf?: string): Principal {
    return {
      userId: u.id,
      name: u.email,
      role: u.role,
      allApps: u.role === "admin" || u.all_apps === 1,
      apps: new Set(this.store.grants(u.id)),
      via,
      csrf,
      parentOf: this.parentOf,
    };
  }

  /** The principal of an API token (Bearer, or git's Basic password), or null. */
  byToken(token: string | null | undefined): Principal | null {
    if (!token || token.length > 512) return null;
    const presented = sha256(token);
    let found: TokenRow | null = null;
    for (const t of this.store.tokens())
      if (timingSafeEqual(presented, Buffer.from(t.hash, "hex")) && !found) found = t;
    if (!found) return null;
    this.touch(found.id);
    if (found.user_id === null)
      return { userId: null, name: "admin", role: "admin", allApps: true, apps: new Set(), via: "token" };
    const u = this.store.userById(found.user_id);
    return u ? this.byUser(u, "token") : null;
  }

  /** Records a token's last use at most once a minute (a write per request would be waste). */
  private touch(id: number): void {
    const now = this.clock.now().getTime();
    if (now - (this.touched.get(id) ?? 0) < 60_000) return;
    this.touched.set(id, now);
    this.store.touchToken(id);
  }

  /** The principal of a session cookie's value, or null when absent or expired. */
  bySession(sessionId: string | null | undefined): Principal | null {
    if (!sessionId || sessionId.length > 128) return null;
    const s = this.store.session(sha256(sessionId).toString("hex"));
    const u = s ? this.store.userById(s.user_id) : null;
    return s && u ? this.byUser(u, "session", s.csrf) : null;
  }

  /** Checks a password login, rate limited per account+address and per address. */
  async checkLogin(emailIn: unknown, password: unknown, ip: string): Promise<UserRow> {
    const email = typeof emailIn === "string" ? emailIn.slice(0, 254).toLowerCase() : "";
    const wait = this.limiter.retryAfterMs(email, ip);
    if (wait > 0)
      throw new AppError("too_many_attempts", "too many failed logins", `Try again in ${Math.ceil(wait / 1000)} s.`, {
        retryAfterSec: Math.ceil(wait / 1000),
      });
    const u = email ? this.store.userByEmail(email) : null;
    // an unknown email costs the same scrypt, so timing does not tell which emails exist
    const ok = await verifyPassword(
      typeof password === "string" ? password.slice(0, 1024) : "",
      u?.password_hash ?? DUMMY_HASH,
    );
    if (!u || !ok) {
      this.limiter.fail(email, ip);
      throw new AppError(
        "unauthorized",
        "wrong email or password",
        "Check both; an admin can reset the password with 'yk users:update EMAIL --password-stdin'.",
      );
    }
    this.limiter.succeed(email, ip);
    return u;
  }

  /** Opens a browser session: the cookie's secret (stored hashed) and its CSRF token. */
  openSession(u: UserRow): { sessionId: string; csrf: string; expiresAt: Date } {
    const sessionId = newSecret("");
    const csrf = randomBytes(24).toString("base64url");
    const expiresAt = new Date(this.clock.now().getTime() + SESSION_TTL_MS);
    this.store.addSession(sha256(sessionId).toString("hex"), u.id, csrf, expiresAt);
    return { sessionId, csrf, expiresAt };
  }

  closeSession(sessionId: string): void {
    this.store.removeSession(sha256(sessionId).toString("hex"));
  }

  // users (admins only; the policy checks the role)
  users(): UserView[] {
    return this.store.users().map((u) => this.store.view(u));
  }

  private user(emailIn: string): UserRow {
    const u = this.store.userByEmail(emailIn.toLowerCase());
    if (!u) throw new AppError("not_found", `no user ${JSON.stringify(emailIn)}`, "'yk users' lists the users.");
    return u;
  }

  async addUser(actor: Principal, input: UserInput): Promise<{ user: UserView; initialPassword?: string }> {
    const email = parseEmail(input.email);
    const role = parseRole(input.role);
    const apps = role === "admin" ? "*" : input.apps === undefined ? [] : this.existing(parseApps(input.apps));
    const generated = input.password === undefined ? initialPassword() : undefined;
    const password = generated ?? parseNewPassword(input.password);
    if (this.store.userByEmail(email)) throw new AppError("user_exists", `a user ${email} exists already`);
    const row = this.store.addUser({
      email,
      passwordHash: await hashPassword(password),
      role,
      apps,
      createdBy: actor.name,
    });
    return { user: this.store.view(row), ...(generated ? { initialPassword: generated } : {}) };
  }

  /**
   * A new password or role ends the user's browser sessions. A new password
   * also revokes their personal API tokens (made with the old one, maybe by
   * whoever knew it), unless `keepTokens` says the admin wants them kept;
   * the answer says how many were revoked.
   */
  async updateUser(email: string, input: UserInput): Promise<UserView & { tokensRevoked: number }> {
    const u = this.user(email);
    const role = input.role === undefined ? undefined : parseRole(input.role);
    const apps = input.apps === undefined ? undefined : this.existing(parseApps(input.apps));
    if (input.keepTokens !== undefined && typeof input.keepTokens !== "boolean")
      throw invalid("keepTokens must be true or false");
    const passwordHash =
      input.password === undefined ? undefined : await hashPassword(parseNewPassword(input.password));
    let tokensRevoked = 0;
    this.store.updateUser(u.id, { role, apps, passwordHash });
    if (passwordHash || role) this.store.removeSessionsOf(u.id);
    if (passwordHash && input.keepTokens !== true) tokensRevoked = this.store.removeTokensOf(u.id);
    return { ...this.store.view(this.store.userById(u.id)!), tokensRevoked };
  }

  removeUser(email: string): string {
    const u = this.user(email);
    this.store.removeUser(u.id); // tokens and sessions go with it (ON DELETE CASCADE)
    return u.email;
  }

  private existing(apps: string[] | "*"): string[] | "*" {
    const missing = apps === "*" ? [] : apps.filter((a) => !this.appExists(a));
    if (missing.length) throw invalid(`apps must exist: there is no app named ${missing.slice(0, 5).join(", ")}`);
    return apps;
  }

  // personal tokens
  createToken(p: Principal, nameIn: unknown): TokenView & { token: string } {
    if (p.userId === null)
      throw new AppError(
        "forbidden",
        "the bootstrap admin token cannot create personal tokens",
        "Create a user first: yk users:add EMAIL --role admin",
      );
    const name = nameIn === undefined ? "token" : nameIn;
    if (typeof name !== "string" || !TOKEN_NAME.test(name))
      throw new AppError("invalid_request", `a token name is ${TOKEN_NAME_RULE}`);
    const token = newSecret("ykp_");
    const row = this.store.addToken(p.userId, name, sha256(token).toString("hex"));
    return { ...tokenView(row), token };
  }

  tokens(p: Principal): TokenView[] {
    return p.userId === null ? [] : this.store.tokensOf(p.userId).map(tokenView);
  }

  revokeToken(p: Principal, id: number): void {
    if (p.userId === null || !this.store.removeToken(p.userId, id))
      throw new AppError("not_found", `you have no token ${id}`, "'yk tokens' lists yours.");
  }
}

const tokenView = (t: TokenRow): TokenView => ({
  id: t.id,
  name: t.label,
  createdAt: t.created_at,
  lastUsedAt: t.last_used_at,
});
