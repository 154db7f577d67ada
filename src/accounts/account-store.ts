import type { Db } from "../store/db.js";
import type { Clock } from "../lib/clock.js";
import type { Role, UserView } from "./types.js";
import type { AuditLink } from "./audit-words.js";

export interface UserRow {
  id: number;
  email: string;
  password_hash: string;
  role: Role;
  all_apps: number;
  created_at: string;
  created_by: string;
}
export interface TokenRow {
  id: number;
  label: string;
  hash: string;
  user_id: number | null;
  created_at: string;
  last_used_at: string | null;
}
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  /** method and path, as sent */
  action: string;
  app: string | null;
  ip: string;
  status: number;
  ok: boolean;
  /** the change in words, as known when it was made (null for entries older than the words) */
  summary: string | null;
  /** the deploy or webhook delivery it started */
  link: AuditLink | null;
}
export type AuditRecord = Omit<AuditEntry, "id" | "at" | "summary" | "link"> & {
  summary?: string | null;
  link?: AuditLink | null;
};

/** Audit entries kept; older ones are pruned as new ones arrive. */
export const KEEP_AUDIT = 10_000;

/** The users, user_apps, tokens, sessions and audit tables. SQL only; Accounts decides. */
export class AccountStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  private now(): string {
    return this.clock.now().toISOString();
  }

  // users
  addUser(u: { email: string; passwordHash: string; role: Role; apps: string[] | "*"; createdBy: string }): UserRow {
    return this.db.transaction(() => {
      const { lastInsertRowid } = this.db
        .prepare(
          "INSERT INTO users (email, password_hash, role, all_apps, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .run(u.email, u.passwordHash, u.role, u.apps === "*" ? 1 : 0, this.now(), u.createdBy);
      this.setGrants(Number(lastInsertRowid), u.apps);
      return this.userById(Number(lastInsertRowid))!;
    })();
  }
  updateUser(id: number, change: { role?: Role; apps?: string[] | "*"; passwordHash?: string }): void {
    this.db.transaction(() => {
      if (change.role) this.db.prepare("UPDATE users SET role = ? WHERE id = ?").run(change.role, id);
      if (change.passwordHash)
        this.db.prepare("UPDATE users SET password_hash = ? WHERE id = ?").run(change.passwordHash, id);
      if (change.apps) {
        this.db.prepare("UPDATE users SET all_apps = ? WHERE id = ?").run(change.apps === "*" ? 1 : 0, id);
        this.setGrants(id, change.apps);
      }
    })();
  }
  private setGrants(id: number, apps: string[] | "*"): void {
    this.db.prepare("DELETE FROM user_apps WHERE user_id = ?").run(id);
    if (apps !== "*")
      for (const a of apps) this.db.prepare("INSERT OR IGNORE INTO user_apps (user_id, app) VALUES (?, ?)").run(id, a);
  }
  removeUser(id: number): void {
    this.db.prepare("DELETE FROM users WHERE id = ?").run(id);
  }
  userById(id: number): UserRow | null {
    return (this.db.prepare("SELECT * FROM users WHERE id = ?").get(id) as UserRow | undefined) ?? null;
  }
  userByEmail(email: string): UserRow | null {
    return (this.db.prepare("SELECT * FROM users WHERE email = ?").get(email) as UserRow | undefined) ?? null;
  }
  users(): UserRow[] {
    return this.db.prepare("SELECT * FROM users ORDER BY email").all() as UserRow[];
  }
  grants(id: number): string[] {
    return (
      this.db.prepare("SELECT app FROM user_apps WHERE user_id = ? ORDER BY app").all(id) as { app: string }[]
    ).map((r) => r.app);
  }
  view(u: UserRow): UserView {
    return {
      email: u.email,
      role: u.role,
      apps: u.all_apps ? "*" : this.grants(u.id),
      createdAt: u.created_at,
      createdBy: u.created_by,
    };
  }

  // tokens (the bootstrap admin token is the row with no user)
  tokens(): TokenRow[] {
    return this.db.prepare("SELECT * FROM tokens ORDER BY id").all() as TokenRow[];
  }
  tokensOf(userId: number): TokenRow[] {
    return this.db.prepare("SELECT * FROM tokens WHERE user_id = ? ORDER BY id").all(userId) as TokenRow[];
  }
  addBootstrapToken(hash: string): void {
    this.db
      .prepare("INSERT INTO tokens (label, hash, user_id, created_at) VALUES ('admin', ?, NULL, ?)")
      .run(hash, this.now());
  }
  addToken(userId: number, label: string, hash: string): TokenRow {
    const { lastInsertRowid } = this.db
      .prepare("INSERT INTO tokens (label, hash, user_id, created_at) VALUES (?, ?, ?, ?)")
      .run(label, hash, userId, this.now());
    return this.db.prepare("SELECT * FROM tokens WHERE id = ?").get(Number(lastInsertRowid)) as TokenRow;
  }
  /** Removes every user's grant on an app (it is being destroyed): a later app of that name starts with none. */
  removeGrantsOn(app: string): number {
    return this.db.prepare("DELETE FROM user_apps WHERE app = ?").run(app).changes;
  }
  /** Removes every personal token of a user; returns how many there were. */
  removeTokensOf(userId: number): number {
    return this.db.prepare("DELETE FROM tokens WHERE user_id = ?").run(userId).changes;
  }
  removeToken(userId: number, id: number): boolean {
    return this.db.prepare("DELETE FROM tokens WHERE id = ? AND user_id = ?").run(id, userId).changes > 0;
  }
  touchToken(id: number): void {
    this.db.prepare("UPDATE tokens SET last_used_at = ? WHERE id = ?").run(this.now(), id);
  }

  // sessions
  addSession(hash: string, userId: number, csrf: string, expiresAt: Date): void {
    this.db.prepare("DELETE FROM sessions WHERE expires_at < ?").run(this.now());
    this.db
      .prepare("INSERT INTO sessions (hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
      .run(hash, userId, csrf, this.now(), expiresAt.toISOString());
  }
  session(hash: string): { user_id: number; csrf: string } | null {
    return (
      (this.db.prepare("SELECT user_id, csrf FROM sessions WHERE hash = ? AND expires_at > ?").get(hash, this.now()) as
        { user_id: number; csrf: string } | undefined) ?? null
    );
  }
  removeSession(hash: string): void {
    this.db.prepare("DELETE FROM sessions WHERE hash = ?").run(hash);
  }
  removeSessionsOf(userId: number): void {
    this.db.prepare("DELETE FROM sessions WHERE user_id = ?").run(userId);
  }

  // audit
  audit(e: AuditRecord): void {
    const { lastInsertRowid } = this.db
      .prepare(
        "INSERT INTO audit (at, actor, action, app, ip, status, ok, summary, link) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      )
      .run(
        this.now(),
        e.actor,
        e.action,
        e.app,
        e.ip,
        e.status,
        e.ok ? 1 : 0,
        e.summary ?? null,
        e.link ? JSON.stringify(e.link) : null,
      );
    if (Number(lastInsertRowid) % 100 === 0)
      this.db.prepare("DELETE FROM audit WHERE id <= ?").run(Number(lastInsertRowid) - KEEP_AUDIT);
  }
  /** Newest first; `before` (an entry id) pages back through older ones. */
  auditEntries(opts: { app?: string; limit: number; before?: number }): AuditEntry[] {
    const where = [opts.app ? "app = @app" : "", opts.before ? "id < @before" : ""].filter(Boolean);
    const rows = this.db
      .prepare(
        `SELECT * FROM audit ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT @limit`,
      )
      .all({ app: opts.app ?? null, before: opts.before ?? null, limit: opts.limit }) as (Omit<
      AuditEntry,
      "ok" | "link"
    > & { ok: number; link: string | null })[];
    return rows.map((r) => ({ ...r, ok: r.ok === 1, link: r.link ? (JSON.parse(r.link) as AuditLink) : null }));
  }
}
