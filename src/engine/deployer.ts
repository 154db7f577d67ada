import { rmSync } from "node:fs";
import { AppError, isAppError } from "../errors/app-error.js";
import type { Deploy, Release } from "../domain/types.js";
import type { EngineContext } from "./context.js";
import { planDeploy, type Step } from "./plan/deploy-plan.js";
import { newSuffix, removeContainers } from "./execute/containers.js";
import { DeployFailure, PlanExecutor } from "./execute/plan-executor.js";
import { syncRouter } from "./router-sync.js";
import { appUrls } from "./urls.js";
import { buildRelease } from "../build/build-release.js";
import { collectImages } from "./images.js";
import type { SavedUpload } from "../build/upload.js";
import type { DeploySource } from "../api/contract.js";

/**
 * Runs deploys: build → release → plan → execute, one app at a time, each
 * step recorded in the store before and after. A failure before the commit
 * step leaves the live release untouched.
 */
export class Deployer {
  constructor(private readonly ctx: EngineContext) {}

  /** Records a queued deploy and runs it after the app's earlier deploys. */
  submit(app: string, upload: SavedUpload, meta: { source: "tar" | "git"; commit: string | null; ref: string | null }, actor = "admin"): { deploy: Deploy; done: Promise<void> } {
    const deploy = this.ctx.store.createDeploy({ app, ...meta });
    this.ctx.logs.line(deploy.id, `-----> Deploy #${deploy.id} of ${app} queued`);
    const done = this.ctx.locks.run(app, () => this.process(deploy, upload, actor));
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

  /** Replaces the live release's containers (all, or some process types) with fresh ones, with zero downtime. */
  submitRestart(app: string, only: string[] | undefined): { deploy: Deploy; done: Promise<void> } {
    const deploy = this.ctx.store.createDeploy({ app, source: "restart", commit: null, ref: null });
    this.ctx.logs.line(deploy.id, `-----> Restart #${deploy.id} of ${app}${only ? ` (${only.join(", ")})` : ""} queued`);
    const done = this.ctx.locks.run(app, () =>
      this.run(
        deploy,
        async () => {
          const a = this.ctx.store.getApp(app);
          const live = a?.liveReleaseId ? this.ctx.store.getRelease(a.liveReleaseId) : null;
          if (!live) throw new AppError("not_found", `app ${app} has no live release to restart: deploy it first`);
          return live;
        },
        () => {},
        only,
      ),
    );
    return { deploy, done };
  }

  private process(deploy: Deploy, upload: SavedUpload, actor: string): Promise<void> {
    return this.run(deploy, (out) => this.step(deploy.id, "build", () => buildRelease(this.ctx, deploy, upload, out, actor)), () => rmSync(upload.path, { force: true }));
  }

  /** Runs a deploy whose release comes from `makeRelease` (a build, or a change of the live release). */
  private async run(deploy: Deploy, makeRelease: (out: (l: string) => void) => Promise<Release>, cleanup: () => void = () => {}, only?: string[]): Promise<void> {
    const { store, logs } = this.ctx;
    const out = (l: string) => logs.line(deploy.id, l);
    try {
      if (!store.getApp(deploy.app)) throw new AppError("not_found", `app ${deploy.app} was destroyed before its deploy ran`);
      store.setDeployStatus(deploy.id, "building");
      const release = await makeRelease(out);
      store.setStopped(deploy.app, false); // a deploy means the app should run
      store.setDeployRelease(deploy.id, release.id, release.commit);
      store.setDeployStatus(deploy.id, "deploying");
      await this.deployRelease(deploy.id, release, out, only);
      store.finishDeploy(deploy.id, "succeeded", null, null);
      await collectImages(this.ctx, deploy.app).catch((e) => this.ctx.log(`image cleanup of ${deploy.app}: ${(e as Error).message}`));
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

  /**
   * Deploys a release with zero downtime. If a later web batch fails after the
   * new release went live, the previous release is deployed back the same way,
   * so exactly one release is live when this returns or throws.
   */
  async deployRelease(deployId: number, release: Release, out: (l: string) => void, only?: string[]): Promise<void> {
    const { store } = this.ctx;
    const app = store.getApp(release.app)!;
    const previous = app.liveReleaseId ? store.getRelease(app.liveReleaseId) : null;
    await this.ctx.locks.settled(release.app); // the previous deploy's last old containers are gone
    const exec = new PlanExecutor(this.ctx, deployId, release, out, (name, fn, detail) => this.step(deployId, name, fn, detail ?? null));
    try {
      await exec.run(await this.plan(release, only));
    } catch (e) {
      if (!exec.committed) {
        await removeContainers(this.ctx, exec.allStarted().map((s) => s.id));
        throw e;
      }
      const why = e instanceof DeployFailure ? e.message : (e as Error).message;
      if (previous && previous.id !== release.id) {
        out(`!      ${why}`);
        out(`-----> Rolling back to v${previous.version}`);
        await this.deployRelease(deployId, previous, out, only);
        throw new DeployFailure(`${why}; rolled back to v${previous.version}`, e instanceof DeployFailure ? e.containerLog : null);
      }
      // A first deploy, or a restart of the live release: take out what this attempt started.
      for (const s of store.routedServers(release.app)) if (exec.allStarted().some((x) => x.id === s.containerId)) store.removeRoutedServer(s.app, s.process, s.name);
      await syncRouter(this.ctx);
      await removeContainers(this.ctx, exec.allStarted().map((s) => s.id));
      if (!previous) store.setLiveRelease(release.app, null);
      throw e;
    }
  }

  private async plan(release: Release, only?: string[]): Promise<Step[]> {
    const { store, docker } = this.ctx;
    const app = store.getApp(release.app)!;
    return planDeploy({
      release,
      formation: app.formation,
      settings: { ...release.manifest.deploy, ...app.deploySettings },
      observed: await docker.list({ app: app.name }),
      routed: store.routedServers(app.name),
      suffix: newSuffix,
      mounts: store.mounts(app.name),
      stopTimeoutSec: this.ctx.stopTimeoutSec,
      releasePhaseTimeoutSec: this.ctx.releasePhaseTimeoutSec,
      only,
    });
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
