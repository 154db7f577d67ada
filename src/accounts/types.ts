/** Roles, from most to least: admin (everything, users), deployer (change granted apps), viewer (read granted apps, config values hidden). */
export const ROLES = ["admin", "deployer", "viewer"] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, resolved once per request from a token or a session cookie. */
export interface Principal {
  /** null for the bootstrap admin token, which belongs to no user */
  userId: number | null;
  /** the user's email, or "admin" for the bootstrap token; what releases and the audit log record */
  name: string;
  role: Role;
  /** every app, present and future (admins always) */
  allApps: boolean;
  /** apps granted by name when not allApps */
  apps: ReadonlySet<string>;
  /** how the request authenticated: a browser session must also pass the CSRF check */
  via: "token" | "session";
  /** the session's CSRF token (sessions only) */
  csrf?: string;
  /** a review app's parent: a grant on the parent covers its review apps */
  parentOf?: (app: string) => string | null;
}

export interface UserView {
  email: string;
  role: Role;
  apps: string[] | "*";
  createdAt: string;
  createdBy: string;
}

export function canSeeApp(p: Principal, app: string): boolean {
  if (p.role === "admin" || p.allApps || p.apps.has(app)) return true;
  const parent = p.parentOf?.(app);
  return parent !== null && parent !== undefined && p.apps.has(parent);
}
