import type { AccountStore, AuditEntry } from "./account-store.js";

/**
 * The audit log: who did what to which app, when, from where, and whether
 * it worked. Entries name the method and path only, never a body, so no
 * secret (config values, passwords, tokens) can be recorded.
 */
export class Audit {
  constructor(private readonly store: AccountStore) {}

  record(e: Omit<AuditEntry, "id" | "at">): void {
    this.store.audit(e);
  }

  entries(opts: { app?: string; limit: number }): AuditEntry[] {
    return this.store.auditEntries(opts);
  }
}

/** The app a path under /api/v1/apps/<app> touches, or null. */
export function appOfPath(path: string): string | null {
  const m = /^\/api\/v1\/apps\/([^/]+)/.exec(path);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}
