import { rmSync } from "node:fs";
import { AppError, isAppError } from "../errors/app-error.js";
import type { Deploy, Release } from "../domain/types.js";
import type { EngineContext } from "./context.js";
import { planDeploy, type Step } from "./plan/deploy-plan.js";
import { newSuffix, removeContainers, retire } from "./execute/containers.js";
import { DeployFailure, PlanExecutor } from "./execute/plan-executor.js";
import { syncRouter } from "./router-sync.js";
import { appUrls } from "./urls.js";
import { buildRelease } from "../build/build-release.js";
import { collectImages } from "./images.js";
import type { SavedUpload } from "../build/upload.js";
// eslint-disable-next-line import-x/no-restricted-paths -- moved by #10 (deploy status types into src/domain)
import type { DeploySource } from "../api/contract.js";
import type { RouterMetrics } from "../metrics/sampler.js";
import { CanaryStore, type Canary } from "../canary/canary-store.js";
import { CanaryRunner } from "../canary/runner.js";
import { DEFAULT_IDLE_SEC, resolveCanary, type Strategy } from "../canary/settings.js";
import { CANARY_BATCH } from "./plan/deploy-plan.js";

/** How deployRelease runs: a canary resumed from its recorded step, or rolling whatever the settings say (a rollback of a failed deploy). */
interface DeployMode {
  resume?: Canary;
  rolling?: boolean;
}
type NewRelease = Omit<Release, "id" | "version" | "createdAt">;

/**
 * Runs deploys: build → release → plan → execute, one app at a time, each
 * step recorded in the store before and after. A failure before the commit
 * step leaves the live release untouched.
 */
export class Deployer {
  readonly canaries: CanaryStore;

  /** Without `metrics` (unit tests), every deploy rolls. */
  constructor(
    private readonly ctx: EngineContext,
    private readonly metrics: RouterMetrics | null = null,
  ) {
    this.canaries = new CanaryStore(ctx.store.db);
  }

  /** Records a queued deploy and runs it after the app's earlier deploys. */
  submit(
    app: string,
    upload: SavedUpload,
    meta: { source: "tar" | "git"; commit: string | null; ref: string | null },
    actor = "admin",
    strategy?: Strategy,
  ): { deploy: Deploy; done: Promise<void> } {
    const deploy = this.ctx.store.createDeploy({ app, ...meta });
    if (strategy) this.canaries.setDeployStrategy(deploy.id, strategy);
    this.ctx.logs.line(deploy.id, `-----> Deploy #${deploy.id} of ${app} queued`);
    const done = this.ctx.locks.run(app, () => this.process(deploy, upload, actor));
    return { deploy, done };
  }

  /**
   * Makes a new release from the live one with `change` applied (config vars,
   * a rollback's image…) and deploys it like any other, in the app's queue.
   * With `firstRelease`, `change` also gets null when the app has never been
   * deployed (a promotion brings its own image and commands).
   */
  submitRelease(
    app: string,
    source: DeploySource,
    description: string,
    change: (live: Release) => NewRelease,
  ): { deploy: Deploy; done: Promise<void> };
  submitRelease(
    app: string,
    source: DeploySource,
    description: string,
    change: (live: Release | null) => NewRelease,
    opts: { firstRelease: true },
  ): { deploy: Deploy; done: Promise<void> };
  submitRelease(
    app: string,
    source: DeploySource,
    description: string,
    change: ((live: Release) => NewRelease) | ((live: Release | null) => NewRelease),
    opts: { firstRelease?: boolean } = {},
  ): { deploy: Deploy; done: Promise<void> } {
    const deploy = this.ctx.store.createDeploy({ app, source, commit: null, ref: null });
    this.ctx.logs.line(deploy.id, `-----> Deploy #${deploy.id} of ${app} queued (${description})`);
    const done = this.ctx.locks.run(app, () =>
      this.run(deploy, async (out) => {
        const a = this.ctx.store.getApp(app);
        const live = a?.liveReleaseId ? this.ctx.store.getRelease(a.liveReleaseId) : null;
        if (!live && !opts.firstRelease)
          throw new AppError("not_found", `app ${app} has no live release to change: deploy it first`);
        // Without a live release we got here only with firstRelease, whose overload takes null.
        const release = this.ctx.store.createRelease(
          live ? change(live) : (change as (l: Release | null) => NewRelease)(null),
        );
        out(`-----> Release v${release.version} created: ${release.description}`);
        return release;
      }),
    );
    return { deploy, done };
  }

  /** Replaces the live release's containers (all, or some process types) with fresh ones, with zero downtime. */
  submitRestart(app: string, only: string[] | undefined): { deploy: Deploy; done: Promise<void> } {
    const deploy = this.ctx.store.createDeploy({ app, source: "restart", commit: null, ref: null });
    this.ctx.logs.line(
      deploy.id,
      `-----> Restart #${deploy.id} of ${app}${only ? ` (${only.join(", ")})` : ""} queued`,
    );
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
    return this.run(
      deploy,
      (out) => this.step(deploy.id, "build", () => buildRelease(this.ctx, deploy, upload, out, actor)),
      () => rmSync(upload.path, { force: true }),
    );
  }

  /** Runs a deploy whose release comes from `makeRelease` (a build, or a change of the live release). */
  private async run(
    deploy: Deploy,
    makeRelease: (out: (l: string) => void) => Promise<Release>,
    cleanup: () => void = () => {},
    only?: string[],
    mode: DeployMode = {},
  ): Promise<void> {
    const { store, logs } = this.ctx;
    const out = (l: string) => logs.line(deploy.id, l);
    try {
      if (!store.getApp(deploy.app))
        throw new AppError("not_found", `app ${deploy.app} was destroyed before its deploy ran`);
      store.setDeployStatus(deploy.id, "building");
      const release = await makeRelease(out);
      store.setStopped(deploy.app, false); // a deploy means the app should run
      store.setDeployRelease(deploy.id, release.id, release.commit);
      store.setDeployStatus(deploy.id, "deploying");
      await this.deployRelease(deploy.id, release, out, only, mode);
      store.finishDeploy(deploy.id, "succeeded", null, null);
      this.endCanary(deploy.id, "succeeded");
      await collectImages(this.ctx, deploy.app).catch((e) =>
        this.ctx.log(`image cleanup of ${deploy.app}: ${(e as Error).message}`),
      );
      const app = store.getApp(deploy.app)!;
      for (const url of appUrls(app.name, this.ctx.domain, store.listDomains(app.name), this.ctx.httpPort))
        out(`-----> v${release.version} is live at ${url}`);
    } catch (e) {
      const reason =
        isAppError(e) || e instanceof DeployFailure ? e.message : `internal error: ${(e as Error).message}`;
      const containerLog = e instanceof DeployFailure ? e.containerLog : null;
      if (!(isAppError(e) || e instanceof DeployFailure)) this.ctx.log(`deploy #${deploy.id}: ${(e as Error).stack}`);
      store.finishDeploy(deploy.id, "failed", reason, containerLog);
      this.endCanary(deploy.id, "aborted");
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
  async deployRelease(
    deployId: number,
    release: Release,
    out: (l: string) => void,
    only?: string[],
    mode: DeployMode = {},
  ): Promise<void> {
    const { store } = this.ctx;
    const app = store.getApp(release.app)!;
    const previous = app.liveReleaseId ? store.getRelease(app.liveReleaseId) : null;
    await this.ctx.locks.settled(release.app); // the previous deploy's last old containers are gone
    await this.dropStandby(release.app, out);
    const steps = await this.plan(release, only, deployId, mode);
    let runner: CanaryRunner | null = null;
    if (steps.some((s) => s.kind === "canary") && previous && this.metrics) {
      if (!mode.resume) {
        const settings = resolveCanary({ ...release.manifest.deploy, ...app.deploySettings });
        this.canaries.create({
          deployId,
          app: app.name,
          releaseId: release.id,
          previousReleaseId: previous.id,
          settings,
          now: Date.now(),
        });
        out(
          `-----> Canary of v${release.version} against v${previous.version}: steps ${settings.steps.join(", ")}%, ${settings.stepSec} s each; abort above ${settings.maxErrorPct}% errors, ${settings.errorMarginPct} points over v${previous.version}, or p95 over ${settings.latencyFactor}× v${previous.version}'s (after ${settings.minRequests} requests)`,
        );
      }
      runner = new CanaryRunner({
        ctx: this.ctx,
        metrics: this.metrics,
        canaries: this.canaries,
        deployId,
        release,
        previous,
        out,
      });
    }
    const idleSec = { ...release.manifest.deploy, ...app.deploySettings }.idleSec ?? DEFAULT_IDLE_SEC;
    const standby = previous
      ? () => this.canaries.setStandby(app.name, previous.id, Date.now() + idleSec * 1000)
      : null;
    const exec = new PlanExecutor(
      this.ctx,
      deployId,
      release,
      out,
      (name, fn, detail) => this.step(deployId, name, fn, detail ?? null),
      runner,
      standby,
    );
    if (mode.resume) {
      exec.adopt(
        CANARY_BATCH,
        store
          .routedServers(release.app)
          .filter((s) => s.process === "web" && s.releaseId === release.id)
          .map((s) => ({ id: s.containerId, name: s.name, ip: s.address })),
      );
    }
    try {
      await exec.run(steps);
      if (runner) this.canaries.update(deployId, { state: "promoting" });
    } catch (e) {
      if (!exec.committed) {
        await removeContainers(
          this.ctx,
          exec.allStarted().map((s) => s.id),
        );
        throw e;
      }
      const why = e instanceof DeployFailure ? e.message : (e as Error).message;
      if (previous && previous.id !== release.id) {
        out(`!      ${why}`);
        out(`-----> Rolling back to v${previous.version}`);
        await this.deployRelease(deployId, previous, out, only, { rolling: true });
        throw new DeployFailure(
          `${why}; rolled back to v${previous.version}`,
          e instanceof DeployFailure ? e.containerLog : null,
        );
      }
      // A first deploy, or a restart of the live release: take out what this attempt started.
      for (const s of store.routedServers(release.app))
        if (exec.allStarted().some((x) => x.id === s.containerId)) store.removeRoutedServer(s.app, s.process, s.name);
      await syncRouter(this.ctx);
      await removeContainers(
        this.ctx,
        exec.allStarted().map((s) => s.id),
      );
      if (!previous) store.setLiveRelease(release.app, null);
      throw e;
    }
  }

  /** The strategy of a deploy: its own (yk deploy --strategy), else the app's; restarts and rollbacks roll. */
  strategyOf(deployId: number, settings: { strategy?: Strategy }, only?: string[]): Strategy {
    const d = this.ctx.store.getDeploy(deployId);
    if (only || !d || d.source === "rollback" || d.source === "restart") return "rolling";
    return this.canaries.deployStrategy(deployId) ?? settings.strategy ?? "rolling";
  }

  private async plan(
    release: Release,
    only: string[] | undefined,
    deployId: number,
    mode: DeployMode,
  ): Promise<Step[]> {
    const { store, docker } = this.ctx;
    const app = store.getApp(release.app)!;
    const settings = { ...release.manifest.deploy, ...app.deploySettings };
    const canary = mode.resume
      ? {
          steps: mode.resume.settings.steps,
          resume: {
            index: Math.max(0, mode.resume.stepIndex),
            started: store.routedServers(app.name).filter((s) => s.process === "web" && s.releaseId === release.id)
              .length,
          },
        }
      : !mode.rolling && this.metrics && this.strategyOf(deployId, settings, only) === "canary"
        ? { steps: resolveCanary(settings).steps }
        : undefined;
    const blueGreen = !mode.resume && !mode.rolling && this.strategyOf(deployId, settings, only) === "blue-green";
    return planDeploy({
      release,
      canary,
      blueGreen,
      formation: app.formation,
      settings,
      observed: await docker.list({ app: app.name }),
      routed: store.routedServers(app.name),
      suffix: newSuffix,
      mounts: store.mounts(app.name),
      stopTimeoutSec: this.ctx.stopTimeoutSec,
      pidsLimit: this.ctx.pidsLimit,
      releasePhaseTimeoutSec: this.ctx.releasePhaseTimeoutSec,
      only,
    });
  }

  /**
   * Blue-green's instant switch back: the standby set (the previous release,
   * still running at weight 0) takes every request in one router change, the
   * current set becomes the standby for the same time, the previous release
   * is live again with its config vars and formation. No container starts.
   * Falls back to an ordinary rollback when the standby set is gone.
   */
  switchToStandby(app: string, target: Release): { deploy: Deploy; done: Promise<void> } {
    const { store } = this.ctx;
    const deploy = store.createDeploy({ app, source: "rollback", commit: target.commit, ref: null });
    const out = (l: string) => this.ctx.logs.line(deploy.id, l);
    out(`-----> Rollback #${deploy.id} of ${app} to v${target.version} queued (switch back to the standby set)`);
    const done = this.ctx.locks.run(app, async () => {
      const sb = this.canaries.standby(app);
      const a = store.getApp(app);
      const current = a?.liveReleaseId ? store.getRelease(a.liveReleaseId) : null;
      const servers = store.routedServers(app).filter((s) => s.process === "web");
      const idle = servers.filter((s) => s.releaseId === target.id);
      const states = await Promise.all(idle.map((s) => this.ctx.docker.inspect(s.containerId).catch(() => null)));
      if (
        !sb ||
        sb.releaseId !== target.id ||
        !current ||
        idle.length === 0 ||
        states.some((x) => x?.state !== "running")
      ) {
        store.finishDeploy(
          deploy.id,
          "failed",
          `the standby set of v${target.version} is gone; run yk rollback again for an ordinary rollback`,
          null,
        );
        out("!      The standby set is gone: nothing was changed");
        this.ctx.logs.end(deploy.id);
        return;
      }
      store.setDeployStatus(deploy.id, "deploying");
      store.setDeployRelease(deploy.id, target.id, target.commit);
      const idleSec = { ...current.manifest.deploy, ...a!.deploySettings }.idleSec ?? DEFAULT_IDLE_SEC;
      await this.step(
        deploy.id,
        "switch",
        async () => {
          store.tx(() => {
            for (const s of idle) store.upsertRoutedServer({ ...s, weight: 100, state: "ready" });
            for (const s of servers)
              if (s.releaseId !== target.id) store.upsertRoutedServer({ ...s, weight: 0, state: "drain" });
            const vars = store.configVars(app);
            store.changeConfigVars(app, {
              ...Object.fromEntries(Object.keys(vars).map((k) => [k, null])),
              ...target.config,
            });
            store.setFormation(app, target.formation);
            store.setLiveRelease(app, target.id);
            this.canaries.setStandby(app, current.id, Date.now() + idleSec * 1000);
          });
          await syncRouter(this.ctx);
        },
        `${idle.length} standby container(s) in, ${servers.length - idle.length} out`,
      );
      store.finishDeploy(deploy.id, "succeeded", null, null);
      out(
        `-----> v${target.version} is live again: its ${idle.length} standby web container(s) take every request; v${current.version}'s stand by for ${idleSec} s`,
      );
      this.ctx.logs.end(deploy.id);
    });
    return { deploy, done };
  }

  /**
   * A new deploy first retires a blue-green standby set: the switch back is
   * to the release live before this deploy, and nothing beyond the formation
   * (and the surge) may keep running.
   */
  private async dropStandby(app: string, out: (l: string) => void): Promise<void> {
    const sb = this.canaries.standby(app);
    if (!sb) return;
    this.canaries.dropStandby(app);
    const servers = this.ctx.store
      .routedServers(app)
      .filter((s) => s.releaseId === sb.releaseId && s.process === "web");
    const containers = (await this.ctx.docker.list({ app })).filter(
      (c) => c.process === "web" && c.release === this.ctx.store.getRelease(sb.releaseId)?.version,
    );
    out(
      `-----> Retiring the standby web set of v${this.ctx.store.getRelease(sb.releaseId)?.version} (${containers.length} container(s))`,
    );
    await retire(this.ctx, app, servers, containers);
  }

  private endCanary(deployId: number, state: "succeeded" | "aborted"): void {
    const c = this.canaries.get(deployId);
    if (c && c.state !== "succeeded" && c.state !== "aborted")
      this.canaries.update(deployId, { state, finishedAt: Date.now() });
  }

  private async step<T>(
    deployId: number,
    name: string,
    fn: () => Promise<T>,
    detail: string | null = null,
  ): Promise<T> {
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
      const canary = this.canaries.get(d.id);
      if (canary?.state === "running") continue; // resumeCanaries() continues or aborts it
      const app = store.getApp(d.app);
      const live = d.releaseId !== null && app?.liveReleaseId === d.releaseId;
      store.finishDeploy(
        d.id,
        live ? "succeeded" : "failed",
        live
          ? null
          : "interrupted: the server stopped during this deploy; the previous release was kept live. Deploy again.",
        null,
      );
      this.ctx.logs.line(
        d.id,
        live
          ? "-----> The server restarted after this release went live; the reconciler finished it."
          : "!      Interrupted by a server restart; the previous release was kept live.",
      );
      this.ctx.logs.end(d.id);
      if (canary) this.endCanary(d.id, live ? "succeeded" : "aborted");
    }
  }

  /**
   * After a restart, once the router runs: a canary that was holding a
   * weighted step continues from that step (held again in full: the metrics
   * of before the restart are gone) when its new containers still run;
   * otherwise it is aborted: the new release's servers leave the router, the
   * old ones get their full weight back, and the deploy fails. Either way the
   * rollout has an owner again before the reconciler's first pass.
   */
  resumeCanaries(): Promise<void>[] {
    const { store } = this.ctx;
    const out: Promise<void>[] = [];
    for (const d of store.unfinishedDeploys()) {
      const c = this.canaries.get(d.id);
      const release = d.releaseId ? store.getRelease(d.releaseId) : null;
      if (!c || c.state !== "running" || !release) continue;
      const log = (l: string) => this.ctx.logs.line(d.id, l);
      log(`-----> The server restarted during canary step ${c.stepIndex + 1} (${c.percent}%)`);
      out.push(
        this.ctx.locks.run(d.app, async () => {
          const servers = store.routedServers(d.app).filter((s) => s.process === "web" && s.releaseId === release.id);
          const states = await Promise.all(
            servers.map((s) => this.ctx.docker.inspect(s.containerId).catch(() => null)),
          );
          const alive = servers.length > 0 && states.every((x) => x?.state === "running");
          if (alive) {
            log(`-----> Continuing the canary of v${release.version} from step ${c.stepIndex + 1}`);
            return this.run(
              d,
              async () => release,
              () => {},
              undefined,
              { resume: c },
            );
          }
          log(`!      The canary's new containers are gone: aborting it`);
          store.tx(() => {
            for (const s of servers) store.removeRoutedServer(s.app, s.process, s.name);
            for (const s of store.routedServers(d.app))
              if (s.process === "web") store.upsertRoutedServer({ ...s, weight: 100, state: "ready" });
          });
          await syncRouter(this.ctx);
          await removeContainers(
            this.ctx,
            servers.map((s) => s.containerId),
          );
          this.canaries.update(d.id, {
            state: "aborted",
            finishedAt: Date.now(),
            newWeight: 0,
            oldWeight: 100,
            percent: 0,
            verdict: "interrupted by a server restart; the new containers were gone",
          });
          store.finishDeploy(
            d.id,
            "failed",
            `interrupted by a server restart during canary step ${c.stepIndex + 1}; its new containers were gone, so the canary was aborted and the previous release kept live`,
            null,
          );
          log("!      Canary aborted; the previous release keeps serving.");
          this.ctx.logs.end(d.id);
        }),
      );
    }
    return out;
  }
}
