import { createWriteStream, mkdirSync, readFileSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import { AppError } from "../errors/app-error.js";
import { DockerodeAdapter } from "../docker/dockerode-adapter.js";
import { LABEL } from "../docker/port.js";
import Docker from "dockerode";
import { checkPassphrase } from "../ops/backup/crypto.js";
import { restoreBackup, type RestoreReport } from "../ops/backup/restore.js";
import { parseS3Target, s3Get, type S3Settings } from "../ops/backup/s3.js";

/**
 * The composition root of `yadokari restore` (run on the host, no server):
 * the local Docker engine (YADOKARI_DOCKER_SOCKET) behind restoreBackup.
 */
export async function runRestore(o: {
  file: string;
  dataDir: string;
  passphraseFile: string | null;
  force: boolean;
  log: (l: string) => void;
  /** where and as whom s3:// files are read (src/main/settings.ts) */
  s3: S3Settings;
  /** the local Docker engine's socket (YADOKARI_DOCKER_SOCKET) */
  dockerSocket: string;
}): Promise<RestoreReport> {
  let passphrase: string | null = null;
  if (o.passphraseFile) {
    try {
      passphrase = checkPassphrase(readFileSync(o.passphraseFile, "utf8"));
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError(
        "bad_passphrase",
        `the passphrase file ${o.passphraseFile} is not readable: ${(e as Error).message}`,
      );
    }
  }
  // s3://bucket/key: downloaded beside the data dir first (the restore reads the file twice when encrypted).
  let file = o.file;
  let downloaded: string | null = null;
  if (o.file.startsWith("s3://")) {
    const t = parseS3Target(o.file.replace(/\/[^/]*$/, "/"), o.s3);
    const key = o.file.slice(`s3://${t.bucket}/`.length);
    mkdirSync(dirname(o.dataDir), { recursive: true });
    downloaded = join(dirname(o.dataDir), `.yadokari-restore-${process.pid}-${basename(key)}`);
    o.log(`downloading ${o.file}`);
    await pipeline(await s3Get(t, key), createWriteStream(downloaded, { mode: 0o600 }));
    file = downloaded;
  }
  try {
    return await restoreFrom(file, o, passphrase);
  } finally {
    if (downloaded) rmSync(downloaded, { force: true });
  }
}

async function restoreFrom(
  file: string,
  o: { dataDir: string; force: boolean; log: (l: string) => void; dockerSocket: string },
  passphrase: string | null,
): Promise<RestoreReport> {
  const socketPath = o.dockerSocket;
  const docker = new Docker({ socketPath });
  return restoreBackup({
    file,
    dataDir: o.dataDir,
    passphrase,
    force: o.force,
    log: o.log,
    docker: {
      load: async (tar: Readable) => {
        const out = (await docker.loadImage(tar)) as unknown as Readable;
        await new Promise<void>((resolve, reject) => {
          out.on("data", () => {});
          out.on("end", resolve);
          out.on("error", reject);
        });
      },
      imageExists: async (ref) => {
        try {
          await docker.getImage(ref).inspect();
          return true;
        } catch (e) {
          if ((e as { statusCode?: number }).statusCode === 404) return false;
          throw e;
        }
      },
      build: (context, tag, app, instance, onLine) =>
        new DockerodeAdapter({ instance, socketPath }).build(context, { tag, labels: { [LABEL.app]: app }, onLine }),
    },
  });
}
