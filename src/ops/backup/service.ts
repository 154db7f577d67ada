import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join } from "node:path";
import type { Readable } from "node:stream";
import { AppError, isAppError } from "../../errors/app-error.js";
import type { Store } from "../../store/store.js";
import { createBackup, type BackupManifest } from "./create.js";
import { checkPassphrase } from "./crypto.js";
import type { BackupState, BackupRecord, BackupSchedule } from "./state.js";
import { parseS3Target, s3Delete, s3List, s3Put, type S3Settings } from "./s3.js";

export interface BackupRequest {
  /** absolute file or directory path on the server's host, or s3://bucket/prefix; default DATA_DIR/backups */
  to?: string | null;
  withImages?: boolean;
  passphraseFile?: string | null;
}

export interface BackupDeps {
  store: Store;
  /** the schedule and history, in the store (Repositories.backups) */
  state: BackupState;
  snapshot: (file: string) => Promise<unknown>;
  dataDir: string;
  version: string;
  saveImages: (refs: string[]) => Promise<Readable>;
  imageExists: (ref: string) => Promise<boolean>;
  /** where and as whom s3:// targets are reached */
  s3: S3Settings;
  log: (m: string) => void;
}

const NAME = /^yadokari-\d{8}T\d{6}(\d{3})?Z\.tar\.gz(\.enc)?$/;

/** yadokari-20260102T030405123Z.tar.gz(.enc): sorts by time. */
export function backupName(now: Date, encrypted: boolean): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(".", "");
  return `yadokari-${stamp}.tar.gz${encrypted ? ".enc" : ""}`;
}

/** Absolute, no NUL or "..": a path on the server's host given over the API. */
export function checkHostPath(p: string, what: string): string {
  if (!isAbsolute(p) || p.includes("\0") || p.length > 1024 || p.split("/").includes(".."))
    throw new AppError(
      "invalid_backup_target",
      `${what} must be an absolute path without '..' (got ${JSON.stringify(p)})`,
    );
  return p;
}

/** The host's own trees: a backup is never written there (nor at the root itself). */
const SYSTEM_TREES = new Set([
  "bin",
  "boot",
  "dev",
  "etc",
  "lib",
  "lib32",
  "lib64",
  "libx32",
  "proc",
  "run",
  "sbin",
  "sys",
  "usr",
]);

/**
 * Where a backup may be written on the server's host: an absolute path (see
 * checkHostPath), not `/` nor under the system's own trees (/etc, /usr, /proc…),
 * and a file named *.tar.gz or *.tar.gz.enc unless it is a directory (a trailing
 * `/`, or one that exists): an existing file of another kind is never replaced.
 */
export function checkBackupTarget(p: string, what = "--to"): string {
  checkHostPath(p, what);
  const parts = p.split("/").filter((x) => x !== "" && x !== ".");
  if (parts.length === 0 || SYSTEM_TREES.has(parts[0]))
    throw new AppError(
      "invalid_backup_target",
      `${what} ${JSON.stringify(p)} is ${parts.length === 0 ? "the root directory" : `under /${parts[0]}, one of the system's own directories`}: backups go to a directory of their own`,
    );
  return p;
}

/** A file target (not a directory) must be named like a backup, so that no other file is overwritten. */
export function checkBackupFile(file: string, what = "--to"): string {
  if (!/\.tar\.gz(\.enc)?$/.test(file))
    throw new AppError(
      "invalid_backup_target",
      `${what} ${JSON.stringify(file)} is a file that is not named *.tar.gz or *.tar.gz.enc: give a directory (ending in '/') or such a file name`,
    );
  return file;
}

/** Which of the names to delete so that the newest `keep` remain. Pure. */
export function retentionVictims(names: string[], keep: number): string[] {
  return names
    .filter((n) => NAME.test(basename(n)))
    .sort((a, b) => basename(b).localeCompare(basename(a)))
    .slice(keep);
}

/** Hours from "24h", "7d", "90m" (whole minutes, from 15 minutes to 30 days). */
export function parseEvery(text: string): number {
  const m = /^(\d+)(m|h|d)$/.exec(text.trim());
  const hours = m ? Number(m[1]) * { m: 1 / 60, h: 1, d: 24 }[m[2] as "m" | "h" | "d"] : NaN;
  if (!(hours >= 0.25 && hours <= 720))
    throw new AppError(
      "invalid_backup_target",
      `--every must be like 6h, 1d or 90m, from 15m to 30d (got ${JSON.stringify(text)})`,
    );
  return hours;
}

/**
 * Backups of the control plane made by the server: on request (`yk backup`)
 * and on a schedule with retention (`yk backup:schedule`). One at a time;
 * every attempt is recorded (doctor reads the last one).
 */
export class Backups {
  readonly state: BackupState;
  private running: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly d: BackupDeps) {
    this.state = d.state;
  }

  run(req: BackupRequest, trigger: BackupRecord["trigger"] = "manual") {
    const next = this.running.then(() => this.runNow(req, trigger));
    this.running = next.catch(() => {});
    return next;
  }

  private async runNow(
    req: BackupRequest,
    trigger: BackupRecord["trigger"],
  ): Promise<{ record: BackupRecord; manifest: BackupManifest }> {
    const t0 = Date.now();
    const withImages = req.withImages === true;
    const passphrase = req.passphraseFile ? readPassphrase(req.passphraseFile) : null;
    const to = req.to ?? join(this.d.dataDir, "backups");
    const s3 = to.startsWith("s3://") ? parseS3Target(to, this.d.s3) : null;
    const name = backupName(new Date(), passphrase !== null);
    let file: string;
    if (s3) file = join(this.d.dataDir, "backups", `.upload-${name}`);
    else {
      checkBackupTarget(to, "--to");
      const isDir = to.endsWith("/") || (existsSync(to) && statSync(to).isDirectory()) || !req.to;
      file = isDir ? join(to, name) : checkBackupFile(to, "--to");
    }
    const record: BackupRecord = {
      ok: false,
      at: new Date(t0).toISOString(),
      target: s3 ? `s3://${s3.bucket}/${s3.prefix ? `${s3.prefix}/` : ""}${name}` : file,
      bytes: 0,
      durationMs: 0,
      withImages,
      encrypted: passphrase !== null,
      trigger,
      message: "",
    };
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      const { manifest, bytes } = await createBackup(this.d, { file, withImages, passphrase });
      if (s3) {
        try {
          await s3Put(s3, s3.prefix ? `${s3.prefix}/${name}` : name, file);
        } finally {
          rmSync(file, { force: true });
        }
      }
      Object.assign(record, { ok: true, bytes, durationMs: Date.now() - t0, message: `${manifest.apps.length} apps` });
      this.state.record(record);
      this.d.log(
        `backup ${record.target}: ${(bytes / 2 ** 20).toFixed(1)} MiB in ${(record.durationMs / 1000).toFixed(1)} s`,
      );
      return { record, manifest };
    } catch (e) {
      Object.assign(record, { durationMs: Date.now() - t0, message: (e as Error).message });
      this.state.record(record);
      this.d.log(`backup to ${record.target} failed: ${record.message}`);
      if (isAppError(e)) throw e;
      throw new AppError("backup_failed", `the backup failed: ${(e as Error).message}`);
    }
  }

  setSchedule(s: BackupSchedule | null): BackupSchedule | null {
    if (s) {
      if (!Number.isInteger(s.keep) || s.keep < 1 || s.keep > 1000)
        throw new AppError("invalid_backup_target", "--keep must be a whole number from 1 to 1000");
      if (s.to.startsWith("s3://")) parseS3Target(s.to, this.d.s3);
      else checkBackupTarget(s.to, "--to");
      if (s.passphraseFile) readPassphrase(s.passphraseFile);
    }
    this.state.setSchedule(s);
    return s;
  }

  /** Checks every minute whether a scheduled backup is due, runs it, then applies the retention. */
  start(tickMs = 60_000): void {
    const tick = () => void this.tick().catch((e) => this.d.log(`scheduled backup: ${(e as Error).message}`));
    this.timer = setInterval(tick, tickMs);
    this.timer.unref();
    tick();
  }

  stop(): Promise<unknown> {
    if (this.timer) clearInterval(this.timer);
    return this.running;
  }

  async tick(now = Date.now()): Promise<boolean> {
    const s = this.state.schedule();
    if (!s) return false;
    const last = this.state.history().find((r) => r.trigger === "schedule");
    if (last && now - Date.parse(last.at) < s.everyHours * 3_600_000) return false;
    await this.run(
      {
        to: s.to.endsWith("/") || s.to.startsWith("s3://") ? s.to : `${s.to}/`,
        withImages: s.withImages,
        passphraseFile: s.passphraseFile,
      },
      "schedule",
    ).catch(() => {});
    await this.applyRetention(s);
    return true;
  }

  private async applyRetention(s: BackupSchedule): Promise<void> {
    if (s.to.startsWith("s3://")) {
      const t = parseS3Target(s.to, this.d.s3);
      const keys = await s3List(t, t.prefix ? `${t.prefix}/` : "");
      for (const k of retentionVictims(keys, s.keep)) await s3Delete(t, k);
      return;
    }
    if (!existsSync(s.to)) return;
    for (const n of retentionVictims(readdirSync(s.to), s.keep)) {
      rmSync(join(s.to, n), { force: true });
      this.d.log(`backup retention: removed ${join(s.to, n)} (keeping ${s.keep})`);
    }
  }
}

function readPassphrase(path: string): string {
  checkHostPath(path, "--passphrase-file");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new AppError(
      "invalid_backup_target",
      `the passphrase file ${path} is not readable: ${(e as NodeJS.ErrnoException).code}`,
    );
  }
  return checkPassphrase(text);
}
