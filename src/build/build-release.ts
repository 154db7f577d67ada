import { createReadStream } from "node:fs";
import { LABEL } from "../docker/port.js";
import { imageRepo } from "../domain/names.js";
import { parseProcfile } from "../manifest/procfile.js";
import { parseAppJson } from "../manifest/app-json.js";
import type { Deploy, Formation, Release } from "../domain/types.js";
import type { EngineContext } from "../engine/context.js";
import type { SavedUpload } from "./upload.js";
import { checkSource } from "./source-check.js";
import { checkQuota } from "../domain/quotas.js";

/**
 * Source → image → release. The image is tagged by commit (git) or by the
 * content hash (tar upload), so the same source always gives the same tag and
 * Docker's layer cache makes a rebuild cheap. The manifests are checked
 * before the build so that a bad Procfile fails fast with its line number.
 */
export async function buildRelease(
  ctx: EngineContext,
  deploy: Deploy,
  upload: SavedUpload,
  out: (line: string) => void,
  actor = "admin",
): Promise<Release> {
  const files = await checkSource(upload, deploy.app, ctx.build);
  const procfile = files.procfile === null ? {} : parseProcfile(files.procfile);
  const appJson = parseAppJson(files.appJson);
  checkQuota("cron jobs", deploy.app, appJson.cron.length, ctx.quotas.cronJobs, "app.json's cron");
  const version = deploy.commit ?? upload.sha256.slice(0, 12);
  const tag = `${imageRepo(deploy.app)}:${version}`;
  out(`-----> Building ${tag} from the Dockerfile`);
  await ctx.docker.build(createReadStream(upload.path), {
    tag,
    // Applied to the built image afterwards, never seen by the build's own steps (nor printed in its log).
    labels: { [LABEL.app]: deploy.app },
    onLine: (l) => out(`       ${l}`),
    timeoutSec: ctx.build.timeoutSec,
  });
  // `release:` is a phase, not a process; without a Procfile (or a web line) the image's own command is web.
  const { release: releaseCommand = null, ...procs } = procfile;
  const processes: Record<string, string | null> = { web: null, ...procs };
  const app = ctx.store.getApp(deploy.app)!;
  const formation = resolveFormation(app.formation, appJson.formation, Object.keys(processes));
  ctx.store.setFormation(app.name, formation);
  const release = ctx.store.createRelease({
    app: deploy.app,
    image: tag,
    commit: deploy.commit,
    description: `Deploy ${version.slice(0, 7)}`,
    processes,
    config: ctx.store.configVars(deploy.app),
    healthcheck: appJson.healthcheck,
    formation,
    manifest: {
      releaseCommand: releaseCommand ?? appJson.predeploy,
      cron: appJson.cron,
      deploy: appJson.deploy,
      formation: appJson.formation,
    },
    createdBy: actor,
  });
  out(`-----> Release v${release.version} created (${tag})`);
  return release;
}

/**
 * The scale after a build: what the app already has wins (a `ps:scale` is not
 * undone by a deploy), then app.json's formation for new types, then Dokku's
 * default of one web and nothing else.
 */
export function resolveFormation(current: Formation, fromAppJson: Formation, types: string[]): Formation {
  const out: Formation = { ...current };
  for (const t of types) if (out[t] === undefined) out[t] = fromAppJson[t] ?? (t === "web" ? 1 : 0);
  return out;
}
