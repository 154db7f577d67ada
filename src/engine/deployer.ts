import type { Deploy } from "../domain/types.js";
import type { DeploySource } from "../domain/types.js";
import type { SavedUpload } from "../build/upload.js";
import type { Strategy } from "../domain/strategy.js";
import type { RouterMetrics } from "../metrics/sampler.js";
import { imageVersion } from "../build/build-release.js";
import type { EngineContext } from "./context.js";
import { DeployLifecycle } from "./lifecycle/lifecycle.js";
import { DeployQueue } from "./lifecycle/queue.js";
import type { ReleaseChange } from "./lifecycle/intent.js";

export type Submitted = { deploy: Deploy; done: Promise<void> };

/**
 * Where deploys are asked for: each request becomes a queued deploy that
 * records what it will do (src/engine/lifecycle/queue.ts); the lifecycle
 * runs it when its app's turn comes.
 */
export class Deployer {
  readonly lifecycle: DeployLifecycle;
  readonly queue: DeployQueue;

  /** Without `metrics` (unit tests), every deploy rolls. */
  constructor(
    ctx: EngineContext,
    metrics: Pick<RouterMetrics, "sample" | "figures"> | null = null,
    opts: { canaryTickMs?: number } = {},
  ) {
    this.lifecycle = new DeployLifecycle(ctx, metrics, opts.canaryTickMs);
    this.queue = new DeployQueue(ctx, this.lifecycle);
  }

  /** A build of an uploaded source: a tar upload, a git push, a commit the server fetched. */
  submitBuild(
    app: string,
    upload: SavedUpload,
    meta: { source: "tar" | "git"; commit: string | null; ref: string | null },
    actor = "admin",
    strategy?: Strategy,
  ): Submitted {
    return this.queue.submit({
      app,
      ...meta,
      actor,
      strategy,
      intent: {
        changes: [{ kind: "build", upload, commit: meta.commit, ref: meta.ref }],
        description: `Deploy ${imageVersion(upload, meta.commit).slice(0, 7)}`,
      },
      queued: `-----> Deploy #? of ${app} queued`,
    });
  }

  /** A new release from the live one with these changes (config vars, a rollback, a promotion…), deployed like any other. */
  submitChanges(
    app: string,
    source: DeploySource,
    changes: ReleaseChange[],
    description: string,
    actor = "admin",
    meta: { commit?: string | null; queued?: string } = {},
  ): Submitted {
    return this.queue.submit({
      app,
      source,
      commit: meta.commit ?? null,
      ref: null,
      actor,
      intent: { changes, description },
      queued: meta.queued ?? `-----> Deploy #? of ${app} queued (${description})`,
    });
  }

  /** Replaces the live release's units (all, or some process types) with fresh ones, with zero downtime. */
  submitRestart(app: string, only: string[] | undefined, actor = "admin"): Submitted {
    return this.queue.submit({
      app,
      source: "restart",
      commit: null,
      ref: null,
      actor,
      intent: {
        changes: [{ kind: "restart", types: only ?? null }],
        description: `Restart${only ? ` ${only.join(", ")}` : ""}`,
      },
      queued: `-----> Restart #? of ${app}${only ? ` (${only.join(", ")})` : ""} queued`,
    });
  }

  /** After a restart: finishes deploys that were in flight, then runs the queued ones. */
  resume(): Promise<void>[] {
    return this.queue.resume();
  }
}
