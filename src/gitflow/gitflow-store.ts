import type { Db } from "../store/db.js";
import type { Keyring } from "../secrets/keyring.js";
import type { Clock } from "../lib/clock.js";

/* SQL for git sources, app secrets, webhook deliveries and review apps. No business rules. */

export const secretAad = (app: string, name: string) => `app-secret:${app}:${name}`;

export interface GitSource {
  app: string;
  urlDisplay: string;
  branch: string;
  createdAt: string;
}
export type Provider = "github" | "gitlab" | "api";
export interface Delivery {
  id: number;
  app: string;
  provider: Provider;
  deliveryId: string;
  event: string;
  accepted: boolean;
  ref: string | null;
  commit: string | null;
  outcome: string;
  targetApp: string | null;
  deployId: number | null;
  createdAt: string;
  updatedAt: string;
}
export interface ReviewSettings {
  app: string;
  enabled: boolean;
  ttlSec: number;
}
export interface ReviewApp {
  app: string;
  parent: string;
  branch: string;
  slug: string;
  lastPushAt: string;
  createdAt: string;
}

interface DeliveryRow {
  id: number;
  app: string;
  provider: Provider;
  delivery_id: string;
  event: string;
  accepted: number;
  ref: string | null;
  commit_sha: string | null;
  outcome: string;
  target_app: string | null;
  deploy_id: number | null;
  created_at: string;
  updated_at: string;
}
const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  app: r.app,
  provider: r.provider,
  deliveryId: r.delivery_id,
  event: r.event,
  accepted: r.accepted === 1,
  ref: r.ref,
  commit: r.commit_sha,
  outcome: r.outcome,
  targetApp: r.target_app,
  deployId: r.deploy_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
interface ReviewRow {
  app: string;
  parent: string;
  branch: string;
  slug: string;
  last_push_at: string;
  created_at: string;
}
const toReview = (r: ReviewRow): ReviewApp => ({
  app: r.app,
  parent: r.parent,
  branch: r.branch,
  slug: r.slug,
  lastPushAt: r.last_push_at,
  createdAt: r.created_at,
});

const KEEP_DELIVERIES = 200;

export class GitflowStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly keyring: Keyring,
  ) {}

  /** The parent and branch of a review app, for the app views (null for other apps). */
  reviewOf(app: string): { parent: string; branch: string } | null {
    return (
      (this.db.prepare("SELECT parent, branch FROM review_apps WHERE app = ?").get(app) as
        { parent: string; branch: string } | undefined) ?? null
    );
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  // sealed per-app secrets
  secret(app: string, name: string): string | null {
    const r = this.db.prepare("SELECT sealed FROM app_secrets WHERE app = ? AND name = ?").get(app, name) as
      { sealed: string } | undefined;
    return r ? this.keyring.open(r.sealed, secretAad(app, name)) : null;
  }
  secretsWithPrefix(app: string, prefix: string): Record<string, string> {
    const rows = this.db
      .prepare("SELECT name, sealed FROM app_secrets WHERE app = ? AND substr(name, 1, ?) = ? ORDER BY name")
      .all(app, prefix.length, prefix) as { name: string; sealed: string }[];
    return Object.fromEntries(
      rows.map((r) => [r.name.slice(prefix.length), this.keyring.open(r.sealed, secretAad(app, r.name))]),
    );
  }
  setSecret(app: string, name: string, value: string | null): void {
    if (value === null) this.db.prepare("DELETE FROM app_secrets WHERE app = ? AND name = ?").run(app, name);
    else
      this.db
        .prepare(
          "INSERT INTO app_secrets (app, name, sealed) VALUES (?, ?, ?) ON CONFLICT (app, name) DO UPDATE SET sealed = excluded.sealed",
        )
        .run(app, name, this.keyring.seal(value, secretAad(app, name)));
  }
  /** Re-seals with the keyring's current key (master key rotation). */
  resealSecrets(): number {
    return this.db.transaction(() => this.resealAllRows())();
  }
  private resealAllRows(): number {
    const rows = this.db.prepare("SELECT app, name, sealed FROM app_secrets").all() as {
      app: string;
      name: string;
      sealed: string;
    }[];
    for (const r of rows) {
      const aad = secretAad(r.app, r.name);
      this.db
        .prepare("UPDATE app_secrets SET sealed = ? WHERE app = ? AND name = ?")
        .run(this.keyring.seal(this.keyring.open(r.sealed, aad), aad), r.app, r.name);
    }
    return rows.length;
  }

  // git sources
  source(app: string): GitSource | null {
    const r = this.db.prepare("SELECT * FROM git_sources WHERE app = ?").get(app) as
      { app: string; url_display: string; branch: string; created_at: string } | undefined;
    return r ? { app: r.app, urlDisplay: r.url_display, branch: r.branch, createdAt: r.created_at } : null;
  }
  setSource(app: string, urlDisplay: string, branch: string): void {
    this.db
      .prepare(
        "INSERT INTO git_sources (app, url_display, branch, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (app) DO UPDATE SET url_display = excluded.url_display, branch = excluded.branch",
      )
      .run(app, urlDisplay, branch, this.now());
  }

  // webhook deliveries
  /** Records a delivery; for an accepted one, null when that id was accepted before (a redelivery). */
  recordDelivery(d: {
    app: string;
    provider: Provider;
    deliveryId: string;
    event: string;
    accepted: boolean;
    bodySha256: string;
    ref: string | null;
    commit: string | null;
    outcome: string;
  }): Delivery | null {
    const now = this.now();
    const info = this.db
      .prepare(
        `INSERT INTO hook_deliveries (app, provider, delivery_id, event, accepted, body_sha256, ref, commit_sha, outcome, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING`,
      )
      .run(
        d.app,
        d.provider,
        d.deliveryId,
        d.event,
        d.accepted ? 1 : 0,
        d.bodySha256,
        d.ref,
        d.commit,
        d.outcome,
        now,
        now,
      );
    if (info.changes === 0) return null;
    this.db
      .prepare(
        "DELETE FROM hook_deliveries WHERE app = ? AND id <= (SELECT id FROM hook_deliveries WHERE app = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
      )
      .run(d.app, d.app, KEEP_DELIVERIES);
    return this.delivery(Number(info.lastInsertRowid));
  }
  delivery(id: number): Delivery | null {
    const r = this.db.prepare("SELECT * FROM hook_deliveries WHERE id = ?").get(id) as DeliveryRow | undefined;
    return r ? toDelivery(r) : null;
  }
  /** The accepted delivery with this id or this body, if any. */
  acceptedDelivery(app: string, provider: Provider, deliveryId: string, bodySha256: string): Delivery | null {
    const r = this.db
      .prepare(
        "SELECT * FROM hook_deliveries WHERE app = ? AND provider = ? AND accepted = 1 AND (delivery_id = ? OR body_sha256 = ?)",
      )
      .get(app, provider, deliveryId, bodySha256) as DeliveryRow | undefined;
    return r ? toDelivery(r) : null;
  }
  /** The last accepted delivery of an app with the provider's delivery id (for the audit log's words). */
  deliveryById(app: string, provider: string, deliveryId: string): Delivery | null {
    const r = this.db
      .prepare(
        "SELECT * FROM hook_deliveries WHERE app = ? AND provider = ? AND delivery_id = ? AND accepted = 1 ORDER BY id DESC LIMIT 1",
      )
      .get(app, provider, deliveryId) as DeliveryRow | undefined;
    return r ? toDelivery(r) : null;
  }
  deliveries(app: string, limit = 50): Delivery[] {
    return (
      this.db
        .prepare("SELECT * FROM hook_deliveries WHERE app = ? ORDER BY id DESC LIMIT ?")
        .all(app, limit) as DeliveryRow[]
    ).map(toDelivery);
  }
  setDeliveryOutcome(id: number, outcome: string, extra: { targetApp?: string; deployId?: number } = {}): void {
    this.db
      .prepare(
        "UPDATE hook_deliveries SET outcome = ?, target_app = COALESCE(?, target_app), deploy_id = COALESCE(?, deploy_id), updated_at = ? WHERE id = ?",
      )
      .run(outcome.slice(0, 500), extra.targetApp ?? null, extra.deployId ?? null, this.now(), id);
  }

  // review apps
  reviewSettings(app: string): ReviewSettings | null {
    const r = this.db.prepare("SELECT * FROM review_settings WHERE app = ?").get(app) as
      { app: string; enabled: number; ttl_sec: number } | undefined;
    return r ? { app: r.app, enabled: r.enabled === 1, ttlSec: r.ttl_sec } : null;
  }
  setReviewSettings(app: string, enabled: boolean, ttlSec: number): void {
    this.db
      .prepare(
        "INSERT INTO review_settings (app, enabled, ttl_sec) VALUES (?, ?, ?) ON CONFLICT (app) DO UPDATE SET enabled = excluded.enabled, ttl_sec = excluded.ttl_sec",
      )
      .run(app, enabled ? 1 : 0, ttlSec);
  }
  reviewApps(parent?: string): ReviewApp[] {
    const rows =
      parent === undefined
        ? this.db.prepare("SELECT * FROM review_apps ORDER BY parent, branch").all()
        : this.db.prepare("SELECT * FROM review_apps WHERE parent = ? ORDER BY branch").all(parent);
    return (rows as ReviewRow[]).map(toReview);
  }
  reviewApp(app: string): ReviewApp | null {
    const r = this.db.prepare("SELECT * FROM review_apps WHERE app = ?").get(app) as ReviewRow | undefined;
    return r ? toReview(r) : null;
  }
  reviewAppOfBranch(parent: string, branch: string): ReviewApp | null {
    const r = this.db.prepare("SELECT * FROM review_apps WHERE parent = ? AND branch = ?").get(parent, branch) as
      ReviewRow | undefined;
    return r ? toReview(r) : null;
  }
  addReviewApp(app: string, parent: string, branch: string, slug: string): void {
    const now = this.now();
    this.db
      .prepare(
        "INSERT INTO review_apps (app, parent, branch, slug, last_push_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(app, parent, branch, slug, now, now);
  }
  touchReviewApp(app: string): void {
    this.db.prepare("UPDATE review_apps SET last_push_at = ? WHERE app = ?").run(this.now(), app);
  }
}
