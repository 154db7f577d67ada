import { createReadStream } from "node:fs";
import { LABEL } from "../docker/port.js";
import { imageRepo } from "../domain/names.js";
import { parseProcfile } from "../manifest/procfile.js";
import { parseAppJson, type AppJson } from "../manifest/app-json.js";
import type { ImageStore } from "../engines/engine.js";
import type { ReleaseContent } from "../engine/lifecycle/intent.js";
import type { SavedUpload } from "./upload.js";
import type { BuildSettings } from "./settings.js";
import { checkSource } from "./source-check.js";
import { checkQuota, type Quotas } from "../domain/quotas.js";

/** The tag of a source's image: by commit (git), else by the content hash of the upload. */
export const imageVersion = (upload: SavedUpload, commit: string | null) => commit ?? upload.sha256.slice(0, 12);

/** What the Procfile and app.json of a source say, parsed before anything is built. */
export interface Manifests {
  procfile: Record<string, string>;
  appJson: AppJson;
}

/**
 * Reads and checks a source's Procfile and app.json (the deploy's `manifest`
 * step, before `build`): a bad field fails the deploy in a second, with the
 * file and the path of the field (`app.json: formation.web.quantity: …`,
 * `Procfile line 3: …`), instead of after a long Docker build.
 */
export async function readManifests(
  upload: SavedUpload,
  app: string,
  limits: { build: BuildSettings; quotas: Pick<Quotas, "cronJobs"> },
): Promise<Manifests> {
  const files = await checkSource(upload, app, limits.build);
  const procfile = files.procfile === null ? {} : parseProcfile(files.procfile);
  const appJson = parseAppJson(files.appJson);
  checkQuota("cron jobs", app, appJson.cron.length, limits.quotas.cronJobs, "app.json's cron");
  return { procfile, appJson };
}

/** One line for the deploy log: what the manifests declare. */
export function manifestSummary(m: Manifests): string {
  const types = Object.keys(m.procfile).filter((t) => t !== "release");
  const parts = [
    types.length
      ? `Procfile: ${types.join(", ")}${"release" in m.procfile ? " and a release command" : ""}`
      : "no Procfile",
    m.appJson.cron.length ? `${m.appJson.cron.length} cron job(s)` : "",
  ].filter(Boolean);
  return parts.join("; ");
}

/**
 * Source → image → what a release runs. The image is tagged by commit (git)
 * or by the content hash (tar upload), so the same source always gives the
 * same tag and the layer cache makes a rebuild cheap. The manifests were
 * read before (readManifests). Nothing is written to the store: the deploy
 * makes the release.
 */
export async function buildContent(
  images: ImageStore,
  app: string,
  source: { upload: SavedUpload; commit: string | null },
  manifests: Manifests,
  out: (line: string) => void,
  limits: { build: BuildSettings },
): Promise<ReleaseContent> {
  const { procfile, appJson } = manifests;
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
      settle: appJson.settle,
    },
  };
}
