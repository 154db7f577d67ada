import { rmSync } from "node:fs";
import { AppError, isAppError } from "../errors/app-error.js";
import { webCount, type Deploy, type Release } from "../domain/types.js";
import type { EngineContext } from "./context.js";
import { planDeploy, type Step } from "./plan/deploy-plan.js";
import { gateAll, newSuffix, removeContainers, retire, routedServerFor, startContainers, type Started } from "./execute/containers.js";
import { syncRouter } from "./router-sync.js";
import { appUrls } from "./urls.js";
import { buildRelease } from "../build/build-release.js";
import type { SavedUpload } from "../build/upload.js";
import type { DeploySource } from "../api/contract.js";

class DeployFailure extends Error {
  constructor(message: string, readonly containerLog: string | null) {
    super(message);
  }
}

/**
 * Runs deploys: build → release → plan → execute, one app at a time, each
 * step recorded in the store before and after. A failure before the commit
 * step leaves the live release untouched.
 */
export class Deployer {
  constructor(private readonly ctx: EngineContext) {}

  /** Records a queued deploy and runs it after the app's earlier deploys. */
  submit(app: string, upload: SavedUpload, meta: { source: "tar" | "git"; commit: string | null; ref: string | null }): { deploy: Deploy; done: Promise<void> } {
    const deploy = this.ctx.store.createDeploy({ app, ...meta });
    this.ctx.logs.line(deploy.id, `-----> Deploy #${deploy.id} of ${app} queued`);
    const done = this.ctx.locks.run(app, () => this.process(deploy, upload));
    return { deploy, done };
  }

  /**
   * Makes a new release from the live one with `change` applied (config vars,
   * a rollback's image…) and deploys it like any other, in the app's queue.
   */
  submitRelease(app: string, source: DeploySource, description: string, change: (live: Release) => Omit<Release, "id" | "version" | "createdAt">): { deploy: Deploy; done: Promise<void> } {
    const deploy = this.ctx.store.createDeploy({ app, source, commit: null, ref: null });
    this.ctx.logs.line(deploy.id, `-----> Deploy #${deploy.id} of ${app} queued (${description})`);
    const done = this.ctx.locks.run(app, () =>
      this.run(deploy, async (out) => {
        const a = this.ctx.store.getApp(app);
        const live = a?.liveReleaseId ? this.ctx.store.getRelease(a.liveReleaseId) : null;
        if (!live) throw new AppError("not_found", `app ${app} has no live release to change: deploy it first`);
        const release = this.ctx.store.createRelease(change(live));
        out(`-----> Release v${release.version} created: ${release.description}`);
        return release;
      }),
    );
    return { deploy, done };
  }

  private process(deploy: Deploy, upload: SavedUpload): Promise<void> {
    return this.run(deploy, (out) => this.step(deploy.id, "build", () => buildRelease(this.ctx, deploy, upload, out)), () => rmSync(upload.path, { force: true }));
  }

  /** Runs a deploy whose release comes from `makeRelease` (a build, or a change of the live release). */
  private async run(deploy: Deploy, makeRelease: (out: (l: string) => void) => Promise<Release>, cleanup: () => void = () => {}): Promise<void> {
    const { store, logs } = this.ctx;
    const out = (l: string) => logs.line(deploy.id, l);
    try {
      if (!store.getApp(deploy.app)) throw new AppError("not_found", `app ${deploy.app} was destroyed before its deploy ran`);
      store.setDeployStatus(deploy.id, "building");
      const release = await makeRelease(out);
      store.setDeployRelease(deploy.id, release.id, release.commit);
      store.setDeployStatus(deploy.id, "deploying");
      await this.deployRelease(deploy.id, release, out);
      store.finishDeploy(deploy.id, "succeeded", null, null);
      const app = store.getApp(deploy.app)!;
      for (const url of appUrls(app.name, this.ctx.domain, store.listDomains(app.name), this.ctx.httpPort)) out(`-----> v${release.version} is live at ${url}`);
    } catch (e) {
      const reason = isAppError(e) || e instanceof DeployFailure ? e.message : `internal error: ${(e as Error).message}`;
      const containerLog = e instanceof DeployFailure ? e.containerLog : null;
      if (!(isAppError(e) || e instanceof DeployFailure)) this.ctx.log(`deploy #${deploy.id}: ${(e as Error).stack}`);
      store.finishDeploy(deploy.id, "failed", reason, containerLog);
      out(`!      Deploy failed: ${reason}`);
      if (containerLog) for (const l of containerLog.split("\n")) out(`!      | ${l}`);
      const live = store.getApp(deploy.app)?.liveReleaseId;
      if (live) out(`!      The live release v${store.getRelease(live)?.version} keeps serving.`);
    } finally {
      logs.end(deploy.id);
      cleanup();
    }
  }

  /** Deploys an existing release with zero downtime (also used for rollbacks later). */
  async deployRelease(deployId: number, release: Release, out: (l: string) => void): Promise<void> {
    const { store, docker } = this.ctx;
    const app = store.getApp(release.app)!;
    const plan = planDeploy({
      release,
      replicas: webCount(app),
      observed: await docker.list({ app: app.name }),
      routed: store.routedServers(app.name),
      suffixes: Array.from({ length: webCount(app) }, newSuffix),
      drainTimeoutSec: this.ctx.drainTimeoutSec,
      stopTimeoutSec: this.ctx.stopTimeoutSec,
    });
    let started: Started[] = [];
    for (const step of plan) started = await this.execute(deployId, release, step, started, out);
  }

  private async execute(deployId: number, release: Release, step: Step, started: Started[], out: (l: string) => void): Promise<Started[]> {
    const { store } = this.ctx;
    switch (step.kind) {
      case "start":
        out(`-----> Starting ${step.specs.length} web container(s) of v${release.version}`);
        return this.step(deployId, "start", () => startContainers(this.ctx, step.specs), `${step.specs.length} container(s)`);
      case "gate": {
        out(`-----> Health check: GET ${step.healthcheck.path} on each new container`);
        await this.step(deployId, "gate", async () => {
          const f = await gateAll(this.ctx, started, release);
          if (f) {
            await removeContainers(this.ctx, started.map((s) => s.id));
            throw new DeployFailure(f.reason, f.containerLog || null);
          }
        });
        out(`-----> All ${started.length} container(s) healthy`);
        return started;
      }
      case "commit":
        await this.step(deployId, "commit", async () =>
          store.tx(() => {
            store.setLiveRelease(release.app, release.id);
            for (const s of started) store.upsertRoutedServer(routedServerFor(release, s));
            for (const s of store.routedServers(release.app)) if (s.releaseId !== release.id) store.upsertRoutedServer({ ...s, state: "drain" });
          }),
        );
        return started;
      case "route":
        await this.step(deployId, "route", () => syncRouter(this.ctx), `${started.length} in, ${step.drain.length} draining`);
        out(`-----> Router switched to v${release.version}${step.drain.length ? `; draining ${step.drain.length} old container(s)` : ""}`);
        return started;
      case "retire": {
        if (!step.servers.length && !step.containers.length) return started;
        const id = store.startStep(deployId, "retire", `${step.containers.length || step.servers.length} old container(s)`);
        // Off the live path: the deploy is done once traffic has moved.
        void retire(this.ctx, release.app, step.servers, step.containers).then(
          () => store.finishStep(id, "done"),
          (e) => {
            store.finishStep(id, "failed", (e as Error).message);
            this.ctx.log(`retire after deploy #${deployId}: ${(e as Error).message}`);
          },
        );
        return started;
      }
    }
  }

  private async step<T>(deployId: number, name: string, fn: () => Promise<T>, detail: string | null = null): Promise<T> {
    const id = this.ctx.store.startStep(deployId, name, detail);
    try {
      const r = await fn();
      this.ctx.store.finishStep(id, "done");
      return r;
    } catch (e) {
      this.ctx.store.finishStep(id, "failed", (e as Error).message);
      throw e;
    }
  }

  /**
   * After a restart: deploys that were running when the server died are
   * finished. If the commit step happened, the new release is live and the
   * reconciler completes routing; otherwise the old release stays live.
   */
  recoverInterrupted(): void {
    const { store } = this.ctx;
    for (const d of store.unfinishedDeploys()) {
      const app = store.getApp(d.app);
      const live = d.releaseId !== null && app?.liveReleaseId === d.releaseId;
      store.finishDeploy(d.id, live ? "succeeded" : "failed", live ? null : "interrupted: the server stopped during this deploy; the previous release was kept live. Deploy again.", null);
      this.ctx.logs.line(d.id, live ? "-----> The server restarted after this release went live; the reconciler finished it." : "!      Interrupted by a server restart; the previous release was kept live.");
      this.ctx.logs.end(d.id);
    }
  }
}
