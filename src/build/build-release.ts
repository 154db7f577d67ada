import { createReadStream } from "node:fs";
import { LABEL } from "../docker/port.js";
import { imageRepo } from "../domain/names.js";
import { parseProcfile } from "../manifest/procfile.js";
import { parseAppJson } from "../manifest/app-json.js";
import type { ImageStore } from "../engines/engine.js";
import type { ReleaseContent } from "../engine/lifecycle/intent.js";
import type { SavedUpload } from "./upload.js";
import type { BuildSettings } from "./settings.js";
import { checkSource } from "./source-check.js";
import { checkQuota, type Quotas } from "../domain/quotas.js";

/** The tag of a source's image: by commit (git), else by the content hash of the upload. */
export const imageVersion = (upload: SavedUpload, commit: string | null) => commit ?? upload.sha256.slice(0, 12);

/**
 * Source → image → what a release runs. The image is tagged by commit (git)
 * or by the content hash (tar upload), so the same source always gives the
 * same tag and the layer cache makes a rebuild cheap. The manifests are
 * checked before the build so that a bad Procfile fails fast with its line
 * number. Nothing is written to the store: the deploy makes the release.
 */
export async function buildContent(
  images: ImageStore,
  app: string,
  source: { upload: SavedUpload; commit: string | null },
  out: (line: string) => void,
  limits: { build: BuildSettings; quotas: Pick<Quotas, "cronJobs"> },
): Promise<ReleaseContent> {
  const files = await checkSource(source.upload, app, limits.build);
  const procfile = files.procfile === null ? {} : parseProcfile(files.procfile);
  const appJson = parseAppJson(files.appJson);
  checkQuota("cron jobs", app, appJson.cron.length, limits.quotas.cronJobs, "app.json's cron");
  const tag = `${imageRepo(app)}:${imageVersion(source.upload, source.commit)}`;
  out(`-----> Building ${tag} from the Dockerfile`);
  await images.build(createReadStream(source.upload.path), {
    tag,
    // Applied to the built image afterwards, never seen by the build's own steps (nor printed in its log).
    labels: { [LABEL.app]: app },
    onLine: (l) => out(`       ${l}`),
    timeoutSec: limits.build.timeoutSec,
  });
  // `release:` is a phase, not a process; without a Procfile (or a web line) the image's own command is web.
  const { release: releaseCommand = null, ...procs } = procfile;
  return {
    image: tag,
    commit: source.commit,
    processes: { web: null, ...procs },
    healthcheck: appJson.healthcheck,
    manifest: {
      releaseCommand: releaseCommand ?? appJson.predeploy,
      cron: appJson.cron,
      deploy: appJson.deploy,
      formation: appJson.formation,
    },
  };
}
