import { AppError } from "../errors/app-error.js";
import { inspectContext, type SourceFiles } from "./context-check.js";
import { checkDockerfile } from "./dockerfile-policy.js";
import type { BuildSettings } from "./settings.js";
import type { SavedUpload } from "./upload.js";

/**
 * Everything checked about a source before Docker sees it: the archive (size
 * as it expands, entries, paths, links), a Dockerfile at its root, and what
 * the Dockerfile may do (src/build/dockerfile-policy.ts). Run when the
 * upload arrives, so a refusal is the upload's 4xx with nothing recorded;
 * the result is kept on the upload for the build.
 */
export async function checkSource(upload: SavedUpload, app: string, settings: BuildSettings): Promise<SourceFiles> {
  if (upload.checked) return upload.checked;
  const files = await inspectContext(upload.path, upload.gzip, settings.limits);
  if (!files.hasDockerfile || files.dockerfile === null)
    throw new AppError(
      "no_dockerfile",
      "no Dockerfile at the root of the source: Yadokari builds apps from their Dockerfile",
    );
  checkDockerfile(files.dockerfile, { app, baseImages: settings.baseImages });
  upload.checked = files;
  return files;
}
