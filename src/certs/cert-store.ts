import type { Db } from "../store/db.js";
import type { Keyring } from "../secrets/keyring.js";

/* SQL for certificates, ACME attempts and backoff, and apps' TLS settings. No business rules. */

export type CertSource = "acme" | "uploaded";

export interface StoredCertificate {
  id: number;
  source: CertSource;
  /** Uploaded: the app that brought it. ACME: null (it belongs to its hostname, whichever app routes it). */
  app: string | null;
  /** ACME: the hostname it was ordered for. */
  hostname: string | null;
  names: string[];
  chain: string;
  fingerprint: string;
  issuer: string;
  notBefore: number;
  notAfter: number;
  createdAt: number;
}

export interface TlsSettings {
  auto: boolean;
  redirectHttps: boolean;
  /** null: no HSTS header. */
  hstsMaxAge: number | null;
}

export interface CertAttempt {
  id: number;
  hostname: string;
  kind: "issue" | "renew";
  startedAt: number;
  finishedAt: number | null;
  ok: boolean | null;
  /** Whether an order reached the CA (a failed self-check costs none of its rate limits). */
  ordered: boolean;
  message: string;
}

export const DEFAULT_TLS: TlsSettings = { auto: true, redirectHttps: true, hstsMaxAge: null };
/** Attempts kept per hostname: enough to see a pattern, bounded. */
export const ATTEMPTS_KEPT = 50;

/** A private key is sealed for its certificate: a ciphertext moved to another row does not open. */
export const keyAad = (fingerprint: string) => `cert-key:${fingerprint}`;
export const accountAad = (directory: string) => `acme-account:${directory}`;

interface CertRow {
  id: number;
  source: CertSource;
  app: string | null;
  hostname: string | null;
  names: string;
  chain: string;
  key_sealed: string;
  fingerprint: string;
  issuer: string;
  not_before: number;
  not_after: number;
  created_at: number;
}

const toCert = (r: CertRow): StoredCertificate => ({
  id: r.id,
  source: r.source,
  app: r.app,
  hostname: r.hostname,
  names: JSON.parse(r.names) as string[],
  chain: r.chain,
  fingerprint: r.fingerprint,
  issuer: r.issuer,
  notBefore: r.not_before,
  notAfter: r.not_after,
  createdAt: r.created_at,
});

export class CertStore {
  constructor(
    readonly db: Db,
    private readonly keyring: Keyring,
  ) {}

  all(): StoredCertificate[] {
    return (this.db.prepare("SELECT * FROM certificates ORDER BY id").all() as CertRow[]).map(toCert);
  }

  get(id: number): StoredCertificate | null {
    const r = this.db.prepare("SELECT * FROM certificates WHERE id = ?").get(id) as CertRow | undefined;
    return r ? toCert(r) : null;
  }

  acmeFor(hostname: string): StoredCertificate | null {
    const r = this.db.prepare("SELECT * FROM certificates WHERE source = 'acme' AND hostname = ?").get(hostname) as
      CertRow | undefined;
    return r ? toCert(r) : null;
  }

  /** The private key, opened; throws when the master key does not open it. */
  privateKey(id: number): string {
    const r = this.db.prepare("SELECT key_sealed, fingerprint FROM certificates WHERE id = ?").get(id) as
      { key_sealed: string; fingerprint: string } | undefined;
    if (!r) throw new Error(`no certificate ${id}`);
    return this.keyring.open(r.key_sealed, keyAad(r.fingerprint));
  }

  /** Inserts an uploaded certificate, or replaces the ACME certificate of its hostname. */
  save(c: Omit<StoredCertificate, "id" | "createdAt">, key: string, now: number): StoredCertificate {
    const sealed = this.keyring.seal(key, keyAad(c.fingerprint));
    return this.db.transaction(() => {
      if (c.source === "acme")
        this.db.prepare("DELETE FROM certificates WHERE source = 'acme' AND hostname = ?").run(c.hostname);
      const id = this.db
        .prepare(
          `INSERT INTO certificates (source, app, hostname, names, chain, key_sealed, fingerprint, issuer, not_before, not_after, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          c.source,
          c.app,
          c.hostname,
          JSON.stringify(c.names),
          c.chain,
          sealed,
          c.fingerprint,
          c.issuer,
          c.notBefore,
          c.notAfter,
          now,
        ).lastInsertRowid;
      return this.get(Number(id))!;
    })();
  }

  remove(id: number): void {
    this.db.prepare("DELETE FROM certificates WHERE id = ?").run(id);
  }

  settings(app: string): TlsSettings {
    const r = this.db.prepare("SELECT auto, redirect_https, hsts_max_age FROM tls_settings WHERE app = ?").get(app) as
      { auto: number; redirect_https: number; hsts_max_age: number | null } | undefined;
    return r ? { auto: r.auto === 1, redirectHttps: r.redirect_https === 1, hstsMaxAge: r.hsts_max_age } : DEFAULT_TLS;
  }

  allSettings(): Map<string, TlsSettings> {
    const rows = this.db.prepare("SELECT app, auto, redirect_https, hsts_max_age FROM tls_settings").all() as {
      app: string;
      auto: number;
      redirect_https: number;
      hsts_max_age: number | null;
    }[];
    return new Map(
      rows.map((r) => [
        r.app,
        { auto: r.auto === 1, redirectHttps: r.redirect_https === 1, hstsMaxAge: r.hsts_max_age },
      ]),
    );
  }

  setSettings(app: string, s: TlsSettings): void {
    this.db
      .prepare(
        `INSERT INTO tls_settings (app, auto, redirect_https, hsts_max_age) VALUES (?, ?, ?, ?)
         ON CONFLICT (app) DO UPDATE SET auto = excluded.auto, redirect_https = excluded.redirect_https, hsts_max_age = excluded.hsts_max_age`,
      )
      .run(app, s.auto ? 1 : 0, s.redirectHttps ? 1 : 0, s.hstsMaxAge);
  }

  startAttempt(hostname: string, kind: CertAttempt["kind"], now: number): number {
    return this.db.transaction(() => {
      const id = Number(
        this.db
          .prepare("INSERT INTO cert_attempts (hostname, kind, started_at) VALUES (?, ?, ?)")
          .run(hostname, kind, now).lastInsertRowid,
      );
      this.db
        .prepare(
          "DELETE FROM cert_attempts WHERE hostname = ? AND id NOT IN (SELECT id FROM cert_attempts WHERE hostname = ? ORDER BY id DESC LIMIT ?)",
        )
        .run(hostname, hostname, ATTEMPTS_KEPT);
      return id;
    })();
  }

  finishAttempt(id: number, r: { ok: boolean; ordered: boolean; message: string }, now: number): void {
    this.db
      .prepare("UPDATE cert_attempts SET finished_at = ?, ok = ?, ordered = ?, message = ? WHERE id = ?")
      .run(now, r.ok ? 1 : 0, r.ordered ? 1 : 0, r.message.slice(0, 2000), id);
  }

  attempts(hostname: string, limit = ATTEMPTS_KEPT): CertAttempt[] {
    const rows = this.db
      .prepare("SELECT * FROM cert_attempts WHERE hostname = ? ORDER BY id DESC LIMIT ?")
      .all(hostname, limit) as {
      id: number;
      hostname: string;
      kind: CertAttempt["kind"];
      started_at: number;
      finished_at: number | null;
      ok: number | null;
      ordered: number;
      message: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      hostname: r.hostname,
      kind: r.kind,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      ok: r.ok === null ? null : r.ok === 1,
      ordered: r.ordered === 1,
      message: r.message,
    }));
  }

  /** Attempts left unfinished by a server that stopped mid-order. */
  closeUnfinishedAttempts(now: number): void {
    this.db
      .prepare(
        "UPDATE cert_attempts SET finished_at = ?, ok = 0, message = 'interrupted: the server stopped during the attempt' WHERE finished_at IS NULL",
      )
      .run(now);
  }

  backoff(hostname: string): { failures: number; nextAt: number } | null {
    const r = this.db.prepare("SELECT failures, next_at FROM acme_backoff WHERE hostname = ?").get(hostname) as
      { failures: number; next_at: number } | undefined;
    return r ? { failures: r.failures, nextAt: r.next_at } : null;
  }

  allBackoff(): Map<string, { failures: number; nextAt: number }> {
    const rows = this.db.prepare("SELECT hostname, failures, next_at FROM acme_backoff").all() as {
      hostname: string;
      failures: number;
      next_at: number;
    }[];
    return new Map(rows.map((r) => [r.hostname, { failures: r.failures, nextAt: r.next_at }]));
  }

  setBackoff(hostname: string, failures: number, nextAt: number): void {
    this.db
      .prepare(
        "INSERT INTO acme_backoff (hostname, failures, next_at) VALUES (?, ?, ?) ON CONFLICT (hostname) DO UPDATE SET failures = excluded.failures, next_at = excluded.next_at",
      )
      .run(hostname, failures, nextAt);
  }

  clearBackoff(hostname: string): void {
    this.db.prepare("DELETE FROM acme_backoff WHERE hostname = ?").run(hostname);
  }

  /** The ACME account key for a directory, sealed in the meta table. */
  accountKey(directory: string, make: () => string): string {
    const key = `acme-account:${directory}`;
    const row = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
    if (row) return this.keyring.open(row.value, accountAad(directory));
    const pem = make();
    this.db
      .prepare("INSERT INTO meta (key, value) VALUES (?, ?)")
      .run(key, this.keyring.seal(pem, accountAad(directory)));
    return pem;
  }

  /** Re-seals every private key with the keyring's current key (config:rotate-key). */
  resealKeys(): number {
    return this.db.transaction(() => {
      let n = 0;
      for (const r of this.db.prepare("SELECT id, key_sealed, fingerprint FROM certificates").all() as {
        id: number;
        key_sealed: string;
        fingerprint: string;
      }[]) {
        const aad = keyAad(r.fingerprint);
        this.db
          .prepare("UPDATE certificates SET key_sealed = ? WHERE id = ?")
          .run(this.keyring.seal(this.keyring.open(r.key_sealed, aad), aad), r.id);
        n++;
      }
      for (const r of this.db.prepare("SELECT key, value FROM meta WHERE key LIKE 'acme-account:%'").all() as {
        key: string;
        value: string;
      }[]) {
        const aad = accountAad(r.key.slice("acme-account:".length));
        this.db
          .prepare("UPDATE meta SET value = ? WHERE key = ?")
          .run(this.keyring.seal(this.keyring.open(r.value, aad), aad), r.key);
        n++;
      }
      return n;
    })();
  }
}
