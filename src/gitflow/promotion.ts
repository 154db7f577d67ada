import { AppError } from "../errors/app-error.js";
import type { Deploy } from "../domain/types.js";
import type { EngineContext } from "../engine/context.js";
import type { Apps } from "../engine/apps.js";
import type { Deployer } from "../engine/deployer.js";
import { contentOf } from "./sources.js";

/** Promotion: the same image from one app to another, with the target's own config. */
export class Promotion {
  constructor(
    private readonly ctx: EngineContext,
    private readonly apps: Apps,
    private readonly deployer: Deployer,
  ) {}

  /** A release of `to` with `from`'s live image (tagged for `to`, same image id) and `to`'s own config, deployed with zero downtime. */
  async promote(fromName: string, toName: unknown, actor = "admin"): Promise<{ deploy: Deploy; image: string }> {
    const from = this.apps.get(fromName);
    if (typeof toName !== "string") throw new AppError("invalid_request", 'give the target app: {"to": "production"}');
    const to = this.apps.get(toName);
    if (to.name === from.name) throw new AppError("invalid_request", "an app cannot be promoted to itself");
    const rel = from.liveReleaseId ? this.ctx.store.getRelease(from.liveReleaseId) : null;
    if (!rel)
      throw new AppError("not_found", `app ${from.name} has no live release to promote`, `Deploy ${from.name} first.`);
    if (!(await this.ctx.engine.images.exists(rel.image))) {
      throw new AppError(
        "image_gone",
        `the image of ${from.name} v${rel.version} (${rel.image}) was removed: there is nothing to promote`,
        `Deploy ${from.name} again, then promote.`,
      );
    }
    const tag = `promoted-${from.name}-v${rel.version}`;
    const image = await this.ctx.engine.images.tag(rel.image, `yadokari/${to.name}`, tag);
    const description = `Promote ${from.name} v${rel.version} (${rel.image})`;
    // the target keeps its own config; new process types get the source's app.json formation at the commit
    const { deploy } = this.deployer.submitChanges(
      to.name,
      "promote",
      [{ kind: "content", content: { ...contentOf(rel), image } }],
      description,
      actor,
    );
    return { deploy, image };
  }
}
