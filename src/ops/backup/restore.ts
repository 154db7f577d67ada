import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import Database from "better-sqlite3";
import { AppError, isAppError } from "../../errors/app-error.js";
import { SCHEMA_VERSION } from "../../store/db.js";
import { openRepositories } from "../../store/repositories.js";
import { Keyring } from "../../secrets/keyring.js";
import { systemClock } from "../../lib/clock.js";
import { GitRepos } from "../../git/repos.js";
import { Mirrors } from "../../gitflow/mirror.js";
import { runningServerPid } from "../pid-file.js";
import { decryptFile, isEncrypted } from "./crypto.js";
import { extractTo } from "./tar-files.js";
import { BACKUP_FORMAT, type BackupManifest } from "./create.js";

export interface RestoreDocker {
  /** `docker load` of a `docker save` tar */
  load(tar: Readable): Promise<void>;
  imageExists(ref: string): Promise<boolean>;
  /** builds a tar context into `tag`, with the labels of an app image of this instance */
  build(context: Readable, tag: string, app: string, instance: string, onLine: (l: string) => void): Promise<void>;
}

export interface RestoredApp {
  name: string;
  liveVersion: number | null;
  image: string | null;
  /** present: already there; loaded: from the backup; rebuilt: from the release's commit; missing: see why */
  imageStatus: "present" | "loaded" | "rebuilt" | "missing" | "none";
  why: string | null;
}

export interface RestoreReport {
  madeBy: string;
  createdAt: string;
  schemaVersion: number;
  apps: RestoredApp[];
  durationMs: number;
}

/**
 * `yadokari restore FILE`: a backup into a data directory on a new host. The
 * archive is unpacked (and, when encrypted, authenticated) into a staging
 * directory first; only then are the store, master key, admin token, router
 * certificates and git repositories moved into place. Each app's live image
 * is then loaded from the backup, found, or rebuilt from its release's
 * commit; the server started afterwards brings every app up.
 */
export async function restoreBackup(o: {
  file: string;
  dataDir: string;
  passphrase: string | null;
  force: boolean;
  docker: RestoreDocker;
  log: (line: string) => void;
}): Promise<RestoreReport> {
  const t0 = Date.now();
  if (!existsSync(o.file)) throw new AppError("bad_backup", `no backup at ${o.file}`);
  const running = runningServerPid(join(o.dataDir, "server.pid"));
  if (running !== null)
    throw new AppError(
      "restore_refused",
      `a Yadokari server (pid ${running}) runs with ${o.dataDir}`,
      "Stop it first ('yadokari stop'), then restore.",
    );
  if (existsSync(join(o.dataDir, "yadokari.db")) && !o.force)
    throw new AppError("restore_refused", `${o.dataDir} already has a store (yadokari.db)`);
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  const staging = join(o.dataDir, `.restore-${randomBytes(4).toString("hex")}`);
  mkdirSync(staging, { mode: 0o700 });
  try {
    let plain: Readable;
    if (isEncrypted(o.file)) {
      if (o.passphrase === null)
        throw new AppError("bad_passphrase", `${o.file} is encrypted: pass the passphrase file it was made with`);
      plain = await decryptFile(o.file, o.passphrase);
    } else plain = createReadStream(o.file);
    o.log(`unpacking ${o.file}`);
    try {
      await extractTo(plain.pipe(createGunzip()), staging);
    } catch (e) {
      if (isAppError(e)) throw e;
      if (isEncrypted(o.file))
        throw new AppError(
          "bad_passphrase",
          `the backup does not decrypt: the passphrase is wrong, or the file was changed (${(e as Error).message})`,
        );
      throw new AppError("bad_backup", `not a readable Yadokari backup: ${(e as Error).message}`);
    }
    const manifest = readManifest(staging);
    const staged = new Database(join(staging, "store", "yadokari.db"), { readonly: true });
    const schema = staged.pragma("user_version", { simple: true }) as number;
    staged.close();
    if (schema > SCHEMA_VERSION)
      throw new AppError(
        "store_too_new",
        `the backup's store has schema version ${schema} (Yadokari ${manifest.yadokari}); this one understands versions up to ${SCHEMA_VERSION}`,
        "Restore it with the Yadokari version that made it, or a newer one.",
      );

    // Into place. A replaced store is kept beside, never deleted.
    const db = join(o.dataDir, "yadokari.db");
    if (existsSync(db)) renameSync(db, `${db}.before-restore`);
    for (const f of ["yadokari.db-wal", "yadokari.db-shm"]) rmSync(join(o.dataDir, f), { force: true });
    for (const f of ["yadokari.db", "master.key", "admin-token"])
      if (existsSync(join(staging, "store", f))) renameSync(join(staging, "store", f), join(o.dataDir, f));
    mkdirSync(join(o.dataDir, "router"), { recursive: true, mode: 0o700 });
    const moves: [string, string][] = [
      ["router/certs", "router/certs"],
      ["router/certs.list", "router/certs.list"],
      ["git", "git"],
      ["git-cache", "git-cache"],
    ];
    for (const [from, to] of moves) {
      if (!existsSync(join(staging, from))) continue;
      rmSync(join(o.dataDir, to), { recursive: true, force: true });
      renameSync(join(staging, from), join(o.dataDir, to));
    }
    // The push repositories' hooks name this host's node and Yadokari: write them again.
    const repos = new GitRepos(join(o.dataDir, "git"));
    if (existsSync(repos.root))
      for (const d of readdirSync(repos.root).filter((x) => x.endsWith(".git"))) await repos.ensure(d.slice(0, -4));

    // The store, migrated if the backup came from an older version; config vars must decrypt.
    const keyring = await Keyring.open(join(o.dataDir, "master.key"));
    const data = openRepositories(db, systemClock, keyring);
    const { store } = data;
    try {
      const instance = store.metaOnce("instance", () => randomBytes(6).toString("hex"));
      for (const a of store.listApps()) store.configVars(a.name); // throws if the key does not open them
      if (existsSync(join(staging, "images.tar"))) {
        o.log("loading the live images saved in the backup");
        await o.docker.load(createReadStream(join(staging, "images.tar")));
      }
      const apps: RestoredApp[] = [];
      for (const a of store.listApps()) {
        const live = a.liveReleaseId ? store.getRelease(a.liveReleaseId) : null;
        const entry: RestoredApp = {
          name: a.name,
          liveVersion: live?.version ?? null,
          image: live?.image ?? null,
          imageStatus: "none",
          why: null,
        };
        apps.push(entry);
        if (!live) continue;
        if (await o.docker.imageExists(live.image)) {
          entry.imageStatus = manifest.apps.find((m) => m.name === a.name)?.imageIncluded ? "loaded" : "present";
          continue;
        }
        const source = await sourceOf(o.dataDir, a.name, live.commit);
        if (!source) {
          entry.imageStatus = "missing";
          entry.why = live.commit
            ? `commit ${live.commit.slice(0, 12)} of v${live.version} is in no git repository of the backup, and the backup has no images`
            : `v${live.version} was deployed from an uploaded archive, which Yadokari does not keep, and the backup has no images: deploy the app again (yk deploy), or back up with --with-images`;
          continue;
        }
        o.log(`${a.name}: rebuilding ${live.image} from commit ${live.commit!.slice(0, 12)}`);
        try {
          const upload = await source.archive(a.name, live.commit!);
          try {
            await o.docker.build(createReadStream(upload.path), live.image, a.name, instance, () => {});
          } finally {
            rmSync(upload.path, { force: true });
          }
          entry.imageStatus = "rebuilt";
        } catch (e) {
          entry.imageStatus = "missing";
          entry.why = `the rebuild from commit ${live.commit!.slice(0, 12)} failed: ${(e as Error).message}`;
        }
      }
      return {
        madeBy: manifest.yadokari,
        createdAt: manifest.createdAt,
        schemaVersion: schema,
        apps,
        durationMs: Date.now() - t0,
      };
    } finally {
      data.close();
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function readManifest(staging: string): BackupManifest {
  let m: BackupManifest;
  try {
    m = JSON.parse(readFileSync(join(staging, "manifest.json"), "utf8")) as BackupManifest;
  } catch {
    throw new AppError("bad_backup", "not a readable Yadokari backup: no manifest.json");
  }
  if (typeof m.format !== "number" || m.format > BACKUP_FORMAT)
    throw new AppError(
      "bad_backup",
      `the backup's format ${m.format} is newer than this Yadokari reads (${BACKUP_FORMAT})`,
      "Restore it with the Yadokari version that made it, or a newer one.",
    );
  if (!existsSync(join(staging, "store", "yadokari.db")) || !existsSync(join(staging, "store", "master.key")))
    throw new AppError("bad_backup", "not a readable Yadokari backup: the store or the master key is missing");
  return m;
}

/** A repository of the restored data dir that has the commit: the push repository, else the fetch cache. */
async function sourceOf(dataDir: string, app: string, commit: string | null): Promise<Mirrors | null> {
  if (!commit) return null;
  for (const root of ["git", "git-cache"]) {
    const m = new Mirrors(join(dataDir, root), join(dataDir, "uploads"));
    if (await m.hasCommit(app, commit)) return m;
  }
  return null;
}
