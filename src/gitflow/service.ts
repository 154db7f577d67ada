import type { EngineContext } from "../engine/context.js";
import type { Apps } from "../engine/apps.js";
import type { Deployer } from "../engine/deployer.js";
import type { GitflowStore, Provider } from "./gitflow-store.js";
import type { Mirrors } from "./mirror.js";
import { SerialQueues } from "./serial.js";
import { GitSources } from "./sources.js";
import { ReviewApps } from "./review-apps.js";
import { Webhooks } from "./webhooks.js";
import { Promotion } from "./promotion.js";

export { DEFAULT_TTL_SEC } from "./review-apps.js";
export type { HookAnswer, HookRequest } from "./webhooks.js";

/**
 * From git to running environments: a connected repository per app
 * (sources), webhook deliveries (webhooks), review apps per branch with a
 * TTL (reviewApps), and promotion of an image from one app to another.
 * Builds and deploys go through the Deployer, like tar uploads and git pushes.
 */
export class Gitflow {
  readonly sources: GitSources;
  readonly reviewApps: ReviewApps;
  readonly webhooks: Webhooks;
  readonly promotion: Promotion;

  constructor(
    ctx: EngineContext,
    apps: Apps,
    deployer: Deployer,
    readonly store: GitflowStore,
    mirrors: Mirrors,
    opts: { cleanupMs: number; publicUrl?: string } = { cleanupMs: 60_000 },
  ) {
    const serial = new SerialQueues();
    this.sources = new GitSources(ctx, apps, deployer, store, mirrors, serial, opts.publicUrl);
    this.reviewApps = new ReviewApps(ctx, apps, store, this.sources, serial, opts.cleanupMs);
    this.webhooks = new Webhooks(ctx, apps, store, this.sources, this.reviewApps, serial);
    this.promotion = new Promotion(ctx, apps, deployer);
  }

  start(): void {
    this.reviewApps.start();
  }

  stop(): Promise<void> {
    return this.reviewApps.stop();
  }
}

export type { Provider };
