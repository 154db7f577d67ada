import type { EngineContext } from "../context.js";
import type { Release } from "../../domain/types.js";
import type { Step } from "../plan/deploy-plan.js";
import { gateAll, removeContainers, retire, routedServerFor, startContainers, type Started } from "./containers.js";
import { runToCompletion } from "./oneoff.js";
import { syncRouter } from "../router-sync.js";
import type { CanaryRunner } from "../../canary/runner.js";

/** A deploy that cannot go on: the reason a person can act on, and the failing container's last lines. */
export class DeployFailure extends Error {
  constructor(
    message: string,
    readonly containerLog: string | null,
  ) {
    super(message);
  }
}

export interface StepRecorder {
  <T>(name: string, fn: () => Promise<T>, detail?: string | null): Promise<T>;
}

/**
 * Runs a plan's steps one at a time against Docker and the router, recording
 * each in the store. It holds only what the steps hand each other: the
 * containers each batch started, and whether the new release is live yet.
 */
export class PlanExecutor {
  private readonly started = new Map<string, Started[]>();
  committed = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly deployId: number,
    private readonly release: Release,
    private readonly out: (l: string) => void,
    private readonly record: StepRecorder,
    private readonly canary: CanaryRunner | null = null,
    /** blue-green: records the old set as standby (the reconciler and the next deploy respect it) */
    private readonly standby: ((step: Extract<Step, { kind: "standby" }>) => void) | null = null,
  ) {}

  /** Containers started before (a canary resumed after a restart) that later steps refer to by batch. */
  adopt(batch: string, started: Started[]): void {
    this.started.set(batch, started);
  }

  async run(plan: Step[]): Promise<void> {
    for (const step of plan) await this.execute(step);
  }

  /** Containers this executor started (to clean up after a failure). */
  allStarted(): Started[] {
    return [...this.started.values()].flat();
  }

  private async execute(step: Step): Promise<void> {
    const { store } = this.ctx;
    const { release, out } = this;
    switch (step.kind) {
      case "release-phase": {
        out(`-----> Release phase: ${step.command}`);
        const r = await this.record("release-phase", () =>
          runToCompletion(this.ctx, step.spec, { onLine: (l) => out(`       ${l}`), timeoutSec: step.timeoutSec }),
        );
        if (r.timedOut)
          throw new DeployFailure(
            `the release phase (${step.command}) did not finish within ${step.timeoutSec} s; no new container was started`,
            null,
          );
        if (r.exitCode !== 0)
          throw new DeployFailure(
            `the release phase (${step.command}) exited with code ${r.exitCode}; no new container was started`,
            null,
          );
        out(`-----> Release phase done`);
        return;
      }
      case "start": {
        out(
          `-----> Starting ${step.specs.length} ${step.process} container(s) of v${release.version}${step.process === "web" ? ` (batch ${step.batch})` : ""}`,
        );
        const started = await this.record(
          `start ${step.batch}`,
          () => startContainers(this.ctx, step.specs),
          `${step.specs.length} container(s)`,
        );
        this.started.set(step.batch, started);
        return;
      }
      case "gate": {
        const batch = this.started.get(step.batch) ?? [];
        out(`-----> Health check: GET ${step.healthcheck.path} on ${batch.length} new container(s)`);
        await this.record(`gate ${step.batch}`, async () => {
          const f = await gateAll(this.ctx, batch, release);
          if (f) {
            await removeContainers(
              this.ctx,
              batch.map((s) => s.id),
            );
            this.started.delete(step.batch);
            throw new DeployFailure(f.reason, f.containerLog || null);
          }
        });
        out(`-----> ${batch.length} container(s) healthy`);
        return;
      }
      case "commit":
        await this.record("commit", async () => store.setLiveRelease(release.app, release.id));
        this.committed = true;
        return;
      case "route": {
        const batch = this.started.get(step.batch) ?? [];
        await this.record(
          `route ${step.batch}`,
          async () => {
            store.tx(() => {
              for (const s of batch) store.upsertRoutedServer(routedServerFor(release, s));
              for (const s of step.drain) store.upsertRoutedServer({ ...s, state: "drain" });
            });
            await syncRouter(this.ctx);
          },
          `${batch.length} in, ${step.drain.length} draining`,
        );
        out(
          `-----> Router: ${batch.length} v${release.version} container(s) in${step.drain.length ? `, ${step.drain.length} old draining` : ""}`,
        );
        return;
      }
      case "retire": {
        const what = `${new Set([...step.servers.map((s) => s.containerId), ...step.containers.map((c) => c.id)]).size} old container(s)`;
        if (step.wait) {
          // Mid-rollout: the old batch must be gone before the next one starts (the surge bound).
          await this.record("retire", () => retire(this.ctx, release.app, step.servers, step.containers), what);
          return;
        }
        const id = store.startStep(this.deployId, "retire", what);
        // Off the live path: the deploy is done once traffic has moved.
        const work = retire(this.ctx, release.app, step.servers, step.containers);
        // The next deploy waits for it, so replicas + maxSurge holds across back-to-back deploys too.
        this.ctx.locks.track(release.app, work);
        void work.then(
          () => store.finishStep(id, "done"),
          (e) => {
            store.finishStep(id, "failed", (e as Error).message);
            this.ctx.log(`retire after deploy #${this.deployId}: ${(e as Error).message}`);
          },
        );
        return;
      }
      case "canary": {
        if (!this.canary) throw new Error("a canary step without a canary runner");
        const batch = this.started.get(step.batch) ?? [];
        try {
          await this.record(`canary ${step.index + 1}: ${step.percent}%`, () =>
            this.canary!.step(step.index, step.percent, batch),
          );
        } catch (e) {
          this.started.delete(step.batch); // the runner drained and removed them
          throw e;
        }
        return;
      }
      case "standby": {
        if (!this.standby) throw new Error("a standby step without a standby recorder");
        await this.record("standby", async () => this.standby!(step), `${step.servers.length} old container(s)`);
        out(
          `-----> ${step.servers.length} old web container(s) kept running at weight 0 for an instant switch back (yk rollback)`,
        );
        return;
      }
      case "pause":
        out(`-----> Pausing ${step.seconds} s before the next batch`);
        await new Promise((r) => setTimeout(r, step.seconds * 1000));
        return;
    }
  }
}
