import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import type { Readable } from "node:stream";
import { AppError } from "../../errors/app-error.js";
import { DockerodeAdapter } from "../../docker/dockerode-adapter.js";
import { dockerFromEnv } from "../../cluster/engine-client.js";
import { engineConnectOptions, parseDockerHost } from "../../cluster/docker-host.js";
import { checkPassphrase } from "./crypto.js";
import { restoreBackup, type RestoreReport } from "./restore.js";

/** `yadokari restore`: the real Docker engine (DOCKER_HOST) behind restoreBackup. */
export async function runRestore(o: {
  file: string;
  dataDir: string;
  passphraseFile: string | null;
  force: boolean;
  log: (l: string) => void;
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
  const docker = dockerFromEnv(process.env);
  const socketPath = engineConnectOptions(parseDockerHost(process.env, homedir()), (p) => readFileSync(p)).socketPath;
  return restoreBackup({
    file: o.file,
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
        new DockerodeAdapter({ instance, socketPath }).build(context, { tag, labels: { "yadokari.app": app }, onLine }),
    },
  });
}
