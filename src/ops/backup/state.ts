import type { Db } from "../../store/db.js";

/** One backup made (or attempted) by the server: kept in history and read by doctor. */
export interface BackupRecord {
  ok: boolean;
  at: string;
  /** where it went: a file path or s3://bucket/key */
  target: string | null;
  bytes: number;
  durationMs: number;
  withImages: boolean;
  encrypted: boolean;
  trigger: "manual" | "schedule";
  message: string;
}

export interface BackupSchedule {
  everyHours: number;
  /** backups of the schedule kept at the target; older ones are deleted */
  keep: number;
  /** a directory, or s3://bucket/prefix */
  to: string;
  withImages: boolean;
  /** a file on the server's host holding the passphrase; null: not encrypted */
  passphraseFile: string | null;
}

const HISTORY = 20;

/**
 * The backup schedule and history, as JSON values in the store's meta table:
 * a few rows that need no table of their own (and so no migration).
 */
export class BackupState {
  constructor(private readonly db: Db) {}

  private get<T>(key: string): T | null {
    const r = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
    return r ? (JSON.parse(r.value) as T) : null;
  }

  private set(key: string, value: unknown): void {
    if (value === null) this.db.prepare("DELETE FROM meta WHERE key = ?").run(key);
    else
      this.db
        .prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .run(key, JSON.stringify(value));
  }

  schedule(): BackupSchedule | null {
    return this.get<BackupSchedule>("backup.schedule");
  }

  setSchedule(s: BackupSchedule | null): void {
    this.set("backup.schedule", s);
  }

  history(): BackupRecord[] {
    return this.get<BackupRecord[]>("backup.history") ?? [];
  }

  record(r: BackupRecord): void {
    this.set("backup.history", [r, ...this.history()].slice(0, HISTORY));
  }

  last(): BackupRecord | null {
    return this.history()[0] ?? null;
  }
}
