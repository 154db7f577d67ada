import type { AccountStore, AuditEntry, AuditRecord } from "./account-store.js";

/**
 * The audit log: who did what to which app, when, from where, and whether
 * it worked. Entries keep the method and path, and the change in words
 * (audit-words.ts), which take names from a body but never a value, so no
 * secret (config values, passwords, tokens) can be recorded.
 */
export class Audit {
  constructor(private readonly store: AccountStore) {}

  record(e: AuditRecord): void {
    this.store.audit(e);
  }

  entries(opts: { app?: string; limit: number; before?: number }): AuditEntry[] {
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
