import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import tarStream from "tar-stream";
import type { Store } from "../../store/store.js";
import { SCHEMA_VERSION } from "../../store/db.js";
import { addBuffer, addFile, addTree } from "./tar-files.js";
import { encryptStream } from "./crypto.js";

export const BACKUP_FORMAT = 1;

/** What a backup holds, first in the archive (manifest.json). */
export interface BackupManifest {
  format: number;
  yadokari: string;
  schemaVersion: number;
  createdAt: string;
  instance: string;
  withImages: boolean;
  apps: {
    name: string;
    liveVersion: number | null;
    image: string | null;
    commit: string | null;
    /** the image is in images.tar */
    imageIncluded: boolean;
  }[];
  /** files in the archive besides the manifest */
  contents: string[];
}

export interface CreateDeps {
  store: Store;
  /** SQLite's online backup of the whole database to a file (Repositories.snapshot) */
  snapshot: (file: string) => Promise<unknown>;
  dataDir: string;
  version: string;
  /** `docker save` of these images as one tar stream (layers shared between them are saved once) */
  saveImages: (refs: string[]) => Promise<Readable>;
  imageExists: (ref: string) => Promise<boolean>;
}

export interface CreateOptions {
  /** the file to write (its directory exists); written under a temporary name, renamed at the end */
  file: string;
  withImages: boolean;
  passphrase: string | null;
  /** scrypt cost, lower in tests */
  kdf?: { N: number; r: number; p: number };
}

/**
 * A consistent backup of the control plane while the server runs: the store
 * through SQLite's online backup API (pages copied while writers go on), the
 * master key and admin token, the router's certificate files, the git
 * repositories that hold the sources of git-deployed releases, and with
 * `withImages` a `docker save` of every app's live image. A tar.gz, encrypted
 * when a passphrase is given. Nothing is left at `file` unless it completed.
 */
export async function createBackup(
  d: CreateDeps,
  o: CreateOptions,
): Promise<{ manifest: BackupManifest; bytes: number }> {
  const work = join(d.dataDir, "backups", `.work-${randomBytes(4).toString("hex")}`);
  mkdirSync(work, { recursive: true, mode: 0o700 });
  const partial = `${o.file}.partial-${process.pid}`;
  try {
    const dbCopy = join(work, "yadokari.db");
    await d.snapshot(dbCopy);
    const apps = [];
    for (const a of d.store.listApps()) {
      const live = a.liveReleaseId ? d.store.getRelease(a.liveReleaseId) : null;
      apps.push({
        name: a.name,
        liveVersion: live?.version ?? null,
        image: live?.image ?? null,
        commit: live?.commit ?? null,
        imageIncluded: false,
      });
    }
    let imagesTar: string | null = null;
    if (o.withImages) {
      const present: string[] = [];
      for (const a of apps) if (a.image && (await d.imageExists(a.image))) present.push(a.image);
      for (const a of apps) a.imageIncluded = a.image !== null && present.includes(a.image);
      if (present.length) {
        imagesTar = join(work, "images.tar");
        await pipeline(await d.saveImages([...new Set(present)]), createWriteStream(imagesTar, { mode: 0o600 }));
      }
    }
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      yadokari: d.version,
      schemaVersion: SCHEMA_VERSION,
      createdAt: new Date().toISOString(),
      instance: d.store.metaOnce("instance", () => "none"),
      withImages: o.withImages,
      apps,
      contents: [],
    };
    const pack = tarStream.pack();
    const out = createWriteStream(partial, { mode: 0o600 });
    const written = o.passphrase
      ? pipeline(pack, createGzip({ level: 6 }), await encryptStream(o.passphrase, o.kdf), out)
      : pipeline(pack, createGzip({ level: 6 }), out);
    const add = async (name: string, path: string) => {
      if (existsSync(path)) await addFile(pack, name, path);
    };
    const tree = async (name: string, dir: string) => {
      if (existsSync(dir)) await addTree(pack, name, dir);
    };
    // the manifest's contents are known only at the end: list what will be added
    const planned = [
      ["store/yadokari.db", dbCopy],
      ["store/master.key", join(d.dataDir, "master.key")],
      ["store/admin-token", join(d.dataDir, "admin-token")],
      ["router/certs.list", join(d.dataDir, "router", "certs.list")],
    ].filter(([, p]) => existsSync(p));
    manifest.contents = [
      ...planned.map(([n]) => n),
      ...["router/certs", "git", "git-cache"].filter((t) => existsSync(join(d.dataDir, t))).map((t) => `${t}/`),
      ...(imagesTar ? ["images.tar"] : []),
    ];
    const adding = (async () => {
      await addBuffer(pack, "manifest.json", Buffer.from(JSON.stringify(manifest, null, 2) + "\n"), 0o600);
      for (const [n, p] of planned) await add(n, p);
      await tree("router/certs", join(d.dataDir, "router", "certs"));
      await tree("git", join(d.dataDir, "git"));
      await tree("git-cache", join(d.dataDir, "git-cache"));
      if (imagesTar) await add("images.tar", imagesTar);
      pack.finalize();
    })();
    // a failed write (disk full) ends `written` first: do not wait on entries nobody reads
    await Promise.all([adding, written]);
    renameSync(partial, o.file);
    return { manifest, bytes: statSync(o.file).size };
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
