import { rmSync } from "node:fs";
import type { Deploy } from "../../domain/types.js";
import type { DeploySource } from "../../domain/types.js";
import type { Strategy } from "../../domain/strategy.js";
import type { EngineContext } from "../context.js";
import type { DeployLifecycle } from "./lifecycle.js";
import { foldIntents, type DeployIntent } from "./intent.js";

export interface DeployRequest {
  app: string;
  source: DeploySource;
  commit: string | null;
  ref: string | null;
  actor: string;
  strategy?: Strategy;
  intent: DeployIntent;
  /** the first log line */
  queued: string;
}

const TERMINAL = new Set(["succeeded", "failed", "superseded"]);

/**
 * The deploys table is the queue. A request is recorded (what it will do, as
 * data) before anything runs; each app runs one deploy at a time, in the
 * app's lock. When an app's turn comes, its newest queued deploy takes over
 * the changes of the older queued ones (they end `superseded`) and runs. A
 * restarted server finishes what was in flight and runs what was queued.
 */
export class DeployQueue {
  private stopped = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly lifecycle: DeployLifecycle,
  ) {}

  submit(r: DeployRequest): { deploy: Deploy; done: Promise<void> } {
    const deploy = this.ctx.store.createDeploy({
      app: r.app,
      source: r.source,
      commit: r.commit,
      ref: r.ref,
      actor: r.actor,
      strategy: r.strategy ?? null,
      intent: r.intent,
    });
    this.ctx.logs.line(deploy.id, r.queued.replace("#?", `#${deploy.number}`));
    const done = this.finished(deploy.id);
    void this.schedule(r.app);
    return { deploy, done };
  }

  /** Resolves once the deploy has ended (succeeded, failed or superseded). */
  finished(id: number): Promise<void> {
    return this.ctx.logs.whenEnded(id, () => {
      const d = this.ctx.store.getDeploy(id);
      return !d || TERMINAL.has(d.status);
    });
  }

  /**
   * After a restart: deploys that were in flight are finished by the
   * lifecycle's recovery, in their app's lock, before anything else of that
   * app; then the queued ones run.
   */
  resume(): Promise<void>[] {
    const { store, locks } = this.ctx;
    const work: Promise<void>[] = [];
    for (const d of store.inFlightDeploys()) work.push(locks.run(d.app, () => this.lifecycle.recover(d.id)));
    for (const app of store.appsWithQueuedDeploys()) work.push(this.schedule(app));
    return work;
  }

  /**
   * The server is stopping: no queued deploy starts from now on. Running ones
   * go on (the server waits for them, within its grace); queued ones stay
   * queued in the store and run after the next start (resume).
   */
  stop(): void {
    this.stopped = true;
  }

  private schedule(app: string): Promise<void> {
    return this.ctx.locks
      .run(app, async () => {
        if (this.stopped) return;
        const next = this.take(app);
        if (next) await this.lifecycle.run(next.id);
      })
      .catch((e) => this.ctx.log(`deploy queue of ${app}: ${(e as Error).stack}`));
  }

  /** The app is being destroyed: its queued deploys will never run. */
  discard(app: string): void {
    this.lifecycle.discard(this.ctx.store.queuedDeploys(app));
  }

  /** The app's next deploy: its newest queued one, carrying the older queued ones' changes. */
  take(app: string): Deploy | null {
    const { store } = this.ctx;
    const taken = store.tx(() => {
      const queued = store.queuedDeploys(app);
      if (!queued.length) return null;
      const newest = queued[queued.length - 1];
      const older = queued.slice(0, -1);
      if (!older.length) return { newest, older, dropped: [] as string[] };
      const { intent, dropped } = foldIntents(
        queued.map((d) => store.deployIntent(d.id) ?? { changes: [], description: `deploy #${d.id}` }),
      );
      store.setDeployIntent(newest.id, app, intent);
      const strategy = [...queued].reverse().find((d) => d.strategy)?.strategy ?? null;
      if (!newest.strategy && strategy) store.setDeployStrategy(newest.id, strategy);
      this.lifecycle.supersede(older, newest);
      return { newest, older, dropped: dropped.flatMap((c) => (c.kind === "build" ? [c.upload.path] : [])) };
    });
    if (!taken) return null;
    this.lifecycle.superseded(taken.older, taken.newest);
    for (const p of taken.dropped) rmSync(p, { force: true });
    return store.getDeploy(taken.newest.id);
  }
}
