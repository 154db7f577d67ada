import { rmSync } from "node:fs";
import { AppError } from "../../errors/app-error.js";
import type { Deploy, Release } from "../../domain/types.js";
import type { EngineContext } from "../context.js";
import { nowMs } from "../context.js";
import type { RouterMetrics } from "../../metrics/sampler.js";
import { buildContent } from "../../build/build-release.js";
import { DEFAULT_IDLE_SEC, resolveCanary, type Strategy } from "../../canary/settings.js";
import { CanaryHold } from "../../canary/hold.js";
import { collectImages } from "../images.js";
import { appUrls } from "../urls.js";
import { planDeploy, type PlanUnit } from "../plan/deploy-plan.js";
import type { CommitChange, Step } from "../plan/steps.js";
import { planRetire, planSwitchBack, planUndo } from "../plan/traffic-plans.js";
import { DeployError, failureOf, type DeployFailure } from "../execute/deploy-error.js";
import type { Executor } from "../execute/executor.js";
import { deploySteps, executorFor } from "../execute/wiring.js";
import { restoreChange } from "../execute/commit.js";
import { newSuffix } from "../suffix.js";
import type { DeployIntent, ReleaseChange } from "./intent.js";
import { applyChanges, configDelta, type AppliedChange, type AppState } from "./release-change.js";

type Out = (line: string) => void;

/** How a deploy's web units roll out. */
interface Rollout {
  /** replace only these process types (ps:restart TYPE) */
  only?: string[];
  /** the canary strategy is off for this rollout (a rollback, a restart, a roll back after a failure) */
  rollingOnly?: boolean;
  /** a canary continued after a restart from its recorded step */
  resume?: { index: number; unitIds: string[] };
}

/**
 * The one owner of a deploy's life: queued → building → deploying →
 * succeeded | failed (the queue marks the superseded ones). It moves the
 * status, records the steps (through the executor), and in one `finally`
 * writes the end (status, error code, reason), closes the canary record,
 * ends the log and deletes uploads, whatever happened on the way. A failure
 * before the commit step leaves the app exactly as it was.
 */
export class DeployLifecycle {
  constructor(
    private readonly ctx: EngineContext,
    /** the router's figures; without them (unit tests) every deploy rolls */
    private readonly metrics: Pick<RouterMetrics, "sample" | "figures"> | null = null,
    private readonly canaryTickMs?: number,
  ) {}

  /** Runs a deploy the queue took. */
  run(id: number): Promise<void> {
    return this.own(id, (d, out) => this.deploy(d, out));
  }

  /** Finishes a deploy that was building or deploying when the server stopped. */
  recover(id: number): Promise<void> {
    return this.own(id, (d, out) => this.recoverDeploy(d, out));
  }

  private async own(id: number, body: (d: Deploy, out: Out) => Promise<void>): Promise<void> {
    const { store, logs } = this.ctx;
    const d = store.getDeploy(id);
    if (!d) return;
    const out: Out = (l) => logs.line(id, l);
    const uploads = uploadsOf(store.deployIntent(id));
    let failure: DeployFailure | null = null;
    try {
      await body(d, out);
    } catch (e) {
      failure = failureOf(e);
      if (failure.unexpected) this.ctx.log(`deploy #${id}: ${(e as Error)?.stack ?? String(e)}`);
    } finally {
      try {
        this.finish(d, failure, out);
      } catch (e) {
        this.ctx.log(`deploy #${id}: recording its end: ${(e as Error).stack}`);
      } finally {
        logs.end(id);
        for (const p of uploads) rmSync(p, { force: true });
      }
    }
  }

  /** The end of a deploy, whatever happened: the status and code, the canary record, the last lines. */
  private finish(d: Deploy, failure: DeployFailure | null, out: Out): void {
    const { store, canaries } = this.ctx;
    const c = canaries.get(d.id);
    const open = c && c.state !== "succeeded" && c.state !== "aborted";
    if (!failure) {
      store.finishDeploy(d.id, "succeeded", null);
      if (open) canaries.update(d.id, { state: "succeeded", finishedAt: nowMs(this.ctx) });
      return;
    }
    store.finishDeploy(d.id, "failed", failure);
    if (open)
      canaries.update(d.id, {
        state: "aborted",
        finishedAt: nowMs(this.ctx),
        newWeight: 0,
        oldWeight: 100,
        percent: 0,
      });
    out(`!      Deploy failed: ${failure.reason}`);
    if (failure.containerLog) for (const l of failure.containerLog.split("\n")) out(`!      | ${l}`);
    const live = store.getApp(d.app)?.liveReleaseId;
    if (live) out(`!      The live release v${store.getRelease(live)?.version} keeps serving.`);
  }

  private live(app: string): Release | null {
    const id = this.ctx.store.getApp(app)?.liveReleaseId;
    return id ? this.ctx.store.getRelease(id) : null;
  }

  private appState(app: string): AppState {
    return { config: this.ctx.store.configVars(app), formation: this.ctx.store.getApp(app)!.formation };
  }

  private async deploy(d: Deploy, out: Out): Promise<void> {
    const { store } = this.ctx;
    if (!store.getApp(d.app)) throw new AppError("not_found", `app ${d.app} was destroyed before its deploy ran`);
    const intent = store.deployIntent(d.id);
    if (!intent) throw new Error(`deploy #${d.id} has nothing to do`);
    store.setDeployStatus(d.id, "building");
    const first = intent.changes[0];
    if (intent.changes.length === 1 && first.kind === "switch-back") return this.switchBack(d, first, out);

    const applied = await this.resolve(d, intent, out);
    const live = this.live(d.app);
    const state = this.appState(d.app);
    const result = applyChanges(live, state, applied);
    let release: Release;
    let commit: Omit<CommitChange, "releaseId">;
    if (result.kind === "restart") {
      if (!live) throw new AppError("not_found", `app ${d.app} has no live release to restart: deploy it first`);
      release = live;
      commit = { config: null, formation: null, stopped: false };
    } else {
      release = store.createRelease({
        app: d.app,
        ...result.content,
        config: result.state.config,
        formation: result.state.formation,
        description: intent.description,
        createdBy: d.actor,
      });
      out(`-----> Release v${release.version} created: ${release.description}`);
      commit = {
        config: configDelta(state.config, result.state.config),
        formation: result.state.formation,
        stopped: false,
      };
    }
    store.setDeployRelease(d.id, release.id, release.commit);
    store.setDeployStatus(d.id, "deploying");
    const rollingOnly = intent.changes.some((c) => c.kind === "rollback") || result.kind === "restart";
    await this.rollout(
      d,
      release,
      live,
      commit,
      { only: result.kind === "restart" ? (result.types ?? undefined) : undefined, rollingOnly },
      out,
    );
    await collectImages(this.ctx, d.app).catch((e) =>
      this.ctx.log(`image cleanup of ${d.app}: ${(e as Error).message}`),
    );
    const app = store.getApp(d.app)!;
    for (const url of appUrls(app.name, this.ctx.domain, store.listDomains(app.name), this.ctx.httpPort))
      out(`-----> v${release.version} is live at ${url}`);
  }

  /** Looks up what the changes refer to: builds the source (the `build` step), reads a rollback's target. */
  private async resolve(d: Deploy, intent: DeployIntent, out: Out): Promise<AppliedChange[]> {
    const applied: AppliedChange[] = [];
    for (const c of intent.changes) {
      switch (c.kind) {
        case "build": {
          const id = this.ctx.store.startStep(d.id, "build", null);
          try {
            applied.push({ kind: "content", content: await buildContent(this.ctx.engine.images, d.app, c, out) });
            this.ctx.store.finishStep(id, "done");
          } catch (e) {
            this.ctx.store.finishStep(id, "failed", (e as Error).message);
            throw e;
          }
          break;
        }
        case "rollback":
        case "switch-back": {
          const target = this.ctx.store.getRelease(c.releaseId);
          if (!target || target.app !== d.app)
            throw new AppError("not_found", `app ${d.app} has no release v${c.version}`);
          if (!(await this.ctx.engine.images.exists(target.image)))
            throw new AppError(
              "image_gone",
              `the image of v${target.version} (${target.image}) was removed: only the last releases keep theirs`,
              "Deploy that commit again instead (git push or yk deploy).",
            );
          applied.push({ kind: "restore", release: target });
          break;
        }
        case "content":
          applied.push({ kind: "content", content: c.content });
          break;
        case "config":
          applied.push({ kind: "config", set: c.set, unset: c.unset });
          break;
        case "restart":
          applied.push({ kind: "restart", types: c.types });
          break;
      }
    }
    return applied;
  }

  /** The strategy of a rollout: the deploy's own (yk deploy --strategy), else the app's; restarts and rollbacks roll. */
  private strategyOf(d: Deploy, settings: { strategy?: Strategy }, r: Rollout): Strategy {
    if (r.only || r.rollingOnly) return "rolling";
    return d.strategy ?? settings.strategy ?? "rolling";
  }

  /**
   * Rolls a release out with zero downtime and leaves exactly one release
   * live: a failure before the commit is undone (the old servers get their
   * weights back, what the deploy started goes); after it, the previous
   * release is rolled back out the same way.
   */
  private async rollout(
    d: Deploy,
    release: Release,
    previous: Release | null,
    commit: Omit<CommitChange, "releaseId">,
    r: Rollout,
    out: Out,
  ): Promise<void> {
    const { store } = this.ctx;
    await this.ctx.locks.settled(release.app); // the previous deploy's last old units are gone
    await this.retireStandby(release.app, out);
    const app = store.getApp(release.app)!;
    const settings = { ...release.manifest.deploy, ...app.deploySettings };
    const strategy = this.strategyOf(d, settings, r);
    // a resumed canary keeps the settings it started with
    const canarySettings = r.resume ? this.ctx.canaries.get(d.id)!.settings : resolveCanary(settings);
    const canary = r.resume ?? (strategy === "canary" && this.metrics && previous && previous.id !== release.id);
    const steps = planDeploy({
      release,
      formation: commit.formation ?? app.formation,
      settings,
      observed: (await this.ctx.units.list({ app: app.name })).map(planUnit),
      routed: store.routedServers(app.name),
      suffix: newSuffix,
      mounts: store.mounts(app.name),
      stopTimeoutSec: this.ctx.stopTimeoutSec,
      releasePhaseTimeoutSec: this.ctx.releasePhaseTimeoutSec,
      commit,
      only: r.only,
      canary: canary ? { steps: canarySettings.steps, resume: r.resume } : undefined,
      blueGreen:
        strategy === "blue-green" && previous && previous.id !== release.id
          ? { idleSec: settings.idleSec ?? DEFAULT_IDLE_SEC, previousReleaseId: previous.id }
          : undefined,
    });
    const isCanary = steps.some((s) => s.kind === "hold" && s.canary);
    let hold: CanaryHold | undefined;
    if (isCanary && previous && this.metrics) {
      if (!r.resume) {
        this.ctx.canaries.create({
          deployId: d.id,
          app: app.name,
          releaseId: release.id,
          previousReleaseId: previous.id,
          settings: canarySettings,
          now: nowMs(this.ctx),
        });
        const s = canarySettings;
        out(
          `-----> Canary of v${release.version} against v${previous.version}: steps ${s.steps.join(", ")}%, ${s.stepSec} s each; abort above ${s.maxErrorPct}% errors, ${s.errorMarginPct} points over v${previous.version}, or p95 over ${s.latencyFactor}× v${previous.version}'s (after ${s.minRequests} requests)`,
        );
      }
      hold = new CanaryHold({
        metrics: this.metrics,
        canaries: this.ctx.canaries,
        deployId: d.id,
        release,
        previous,
        out,
        now: () => nowMs(this.ctx),
        sleep: this.ctx.sleep,
        tickMs: this.canaryTickMs,
      });
    }
    const exec = executorFor(this.ctx, app.name, { steps: deploySteps(this.ctx, d.id), out, canary: hold });
    try {
      await exec.run(steps);
    } catch (e) {
      await this.compensate(d, exec, e, release, previous, r, out);
      throw e instanceof DeployError && exec.committed && previous && previous.id !== release.id
        ? new DeployError(e.code, `${e.message}; rolled back to v${previous.version}`, e.containerLog)
        : e;
    }
  }

  /**
   * After a failed step: an uncommitted plan is undone; a committed one rolls
   * the previous release back out (rolling), its config and formation back
   * with it; a first deploy or a restart takes out what it started.
   */
  private async compensate(
    d: Deploy,
    exec: Executor,
    e: unknown,
    release: Release,
    previous: Release | null,
    r: Rollout,
    out: Out,
  ): Promise<void> {
    const why = (e as Error).message;
    const steps = deploySteps(this.ctx, d.id);
    try {
      if (e instanceof DeployError && e.code === "canary_aborted" && previous) {
        const n = exec.effects().routedNew.length;
        out(`!      C${why.slice(1)}`);
        out(
          `!      v${release.version} now has weight 0: v${previous.version} takes every request. Draining and removing ${n} new container(s)`,
        );
      }
      if (!exec.committed) {
        await exec.run(
          planUndo(exec.effects(), e instanceof DeployError && e.code === "canary_aborted" ? "abort" : "undo"),
        );
        return;
      }
      const restore = restoreChange(exec.before!, this.ctx.store.configVars(release.app));
      if (previous && previous.id !== release.id) {
        out(`!      ${why}`);
        out(`-----> Rolling back to v${previous.version}`);
        // a roll back is rolling and goes live at its first batch, like any deploy
        const { releaseId: _live, ...back } = restore;
        await this.rollout(d, previous, release, back, { only: r.only, rollingOnly: true }, out);
        return;
      }
      // a first deploy, or a restart of the live release: take out what this attempt started
      const undo: Step[] = planUndo(exec.effects());
      if (!previous) undo.push({ kind: "commit", change: restore });
      await executorFor(this.ctx, release.app, { steps, out }).run(undo);
    } catch (undoError) {
      this.ctx.log(`deploy #${d.id}: undoing after "${why}" failed: ${(undoError as Error).message}`);
      out(`!      Undoing what the deploy did failed too: ${(undoError as Error).message}`);
    }
  }

  /**
   * A new deploy first retires a blue-green standby set: the switch back is
   * to the release live before this deploy, and nothing beyond the formation
   * (and the surge) may keep running.
   */
  private async retireStandby(app: string, out: Out): Promise<void> {
    const sb = this.ctx.canaries.standby(app);
    if (!sb) return;
    const version = this.ctx.store.getRelease(sb.releaseId)?.version;
    const servers = this.ctx.store
      .routedServers(app)
      .filter((s) => s.releaseId === sb.releaseId && s.process === "web");
    const units = (await this.ctx.units.list({ app, kind: "process" })).filter(
      (u) => u.process === "web" && u.releaseId === sb.releaseId,
    );
    out(
      `-----> Retiring the standby web set of v${version} (${new Set([...servers.map((s) => s.unitId), ...units.map((u) => u.id)]).size} container(s))`,
    );
    await executorFor(this.ctx, app).run([
      {
        kind: "commit",
        change: {
          releaseId: this.ctx.store.getApp(app)!.liveReleaseId,
          config: null,
          formation: null,
          standby: "drop",
        },
      },
      ...planRetire(
        servers,
        units.map((u) => u.id),
      ),
    ]);
  }

  /**
   * Blue-green's instant switch back: the standby set (the previous release,
   * still running idle) takes every request in one router change, the
   * current set becomes the standby for the same time, and the target is
   * live again with its config vars and formation. No unit starts.
   */
  private async switchBack(
    d: Deploy,
    change: Extract<ReleaseChange, { kind: "switch-back" }>,
    out: Out,
  ): Promise<void> {
    const { store, canaries } = this.ctx;
    const app = d.app;
    const target = store.getRelease(change.releaseId);
    const current = this.live(app);
    const sb = canaries.standby(app);
    const servers = store.routedServers(app).filter((s) => s.process === "web");
    const idle = servers.filter((s) => s.releaseId === change.releaseId);
    const states = await Promise.all(idle.map((s) => this.ctx.units.get(s.unitId)));
    if (
      !target ||
      !sb ||
      sb.releaseId !== change.releaseId ||
      !current ||
      !idle.length ||
      states.some((u) => u?.state !== "running")
    ) {
      out("!      The standby set is gone: nothing was changed");
      throw new DeployError(
        "standby_gone",
        `the standby set of v${change.version} is gone; run yk rollback again for an ordinary rollback`,
      );
    }
    store.setDeployRelease(d.id, target.id, target.commit);
    store.setDeployStatus(d.id, "deploying");
    const idleSec = { ...current.manifest.deploy, ...store.getApp(app)!.deploySettings }.idleSec ?? DEFAULT_IDLE_SEC;
    const steps = planSwitchBack(
      idle,
      servers.filter((s) => s.releaseId !== target.id),
      {
        releaseId: target.id,
        config: configDelta(store.configVars(app), target.config),
        formation: target.formation,
        stopped: false,
        standby: { releaseId: current.id, until: nowMs(this.ctx) + idleSec * 1000 },
      },
    );
    const exec = executorFor(this.ctx, app, { steps: deploySteps(this.ctx, d.id), out });
    try {
      await exec.run(steps);
    } catch (e) {
      if (!exec.committed)
        await exec
          .run(planUndo(exec.effects()))
          .catch((u) => this.ctx.log(`switch back of ${app}: undo: ${(u as Error).message}`));
      throw e;
    }
    out(
      `-----> v${target.version} is live again: its ${idle.length} standby web container(s) take every request; v${current.version}'s stand by for ${idleSec} s`,
    );
  }

  /**
   * After a restart: a deploy whose commit happened is done (the reconciler
   * completes routing); a canary holding a weighted step continues from it
   * when its new units still run, or is aborted with the old weights back;
   * anything else was interrupted and the previous release stays live.
   */
  private async recoverDeploy(d: Deploy, out: Out): Promise<void> {
    const { store, canaries } = this.ctx;
    const c = canaries.get(d.id);
    const release = d.releaseId ? store.getRelease(d.releaseId) : null;
    const app = store.getApp(d.app);
    if (c?.state === "running" && release && app) {
      const previous = store.getRelease(c.previousReleaseId);
      out(`-----> The server restarted during canary step ${c.stepIndex + 1} (${c.percent}%)`);
      const web = store.routedServers(d.app).filter((s) => s.process === "web");
      const servers = web.filter((s) => s.releaseId === release.id);
      const units = await Promise.all(servers.map((s) => this.ctx.units.get(s.unitId)));
      if (previous && servers.length > 0 && units.every((u) => u?.state === "running")) {
        out(`-----> Continuing the canary of v${release.version} from step ${c.stepIndex + 1}`);
        await this.rollout(
          d,
          release,
          previous,
          {
            config: configDelta(store.configVars(d.app), release.config),
            formation: release.formation,
            stopped: false,
          },
          { resume: { index: Math.max(0, c.stepIndex), unitIds: servers.map((s) => s.unitId) } },
          out,
        );
        return;
      }
      out(`!      The canary's new containers are gone: aborting it`);
      canaries.update(d.id, { verdict: "interrupted by a server restart; the new containers were gone" });
      const undo = planUndo(
        {
          unitIds: servers.map((s) => s.unitId),
          routedNew: servers.map((s) => s.name),
          touched: web
            .filter((s) => s.releaseId !== release.id)
            .map((s) => ({ name: s.name, weight: 100, state: "ready" })),
        },
        "abort",
      );
      try {
        await executorFor(this.ctx, d.app, { steps: deploySteps(this.ctx, d.id), out }).run(undo);
        out("!      Canary aborted; the previous release keeps serving.");
      } catch (e) {
        // the store has the old weights back whatever the router said: it gets them at its next sync
        this.ctx.log(`deploy #${d.id}: aborting the canary: ${(e as Error).message}`);
        out(`!      Canary aborted in the store; the router did not take the change yet: ${(e as Error).message}`);
      }
      throw new DeployError(
        "interrupted",
        `interrupted by a server restart during canary step ${c.stepIndex + 1}; its new containers were gone, so the canary was aborted and the previous release kept live`,
      );
    }
    if (release && app?.liveReleaseId === release.id) {
      out("-----> The server restarted after this release went live; the reconciler finished it.");
      return;
    }
    out("!      Interrupted by a server restart; the previous release was kept live.");
    throw new DeployError(
      "interrupted",
      "interrupted: the server stopped during this deploy; the previous release was kept live. Deploy again.",
    );
  }
}

const planUnit = (u: {
  id: string;
  name: string;
  process: string;
  kind: PlanUnit["kind"];
  releaseVersion: number;
  state: string;
}): PlanUnit => ({
  id: u.id,
  name: u.name,
  process: u.process,
  kind: u.kind,
  releaseVersion: u.releaseVersion,
  state: u.state,
});

const uploadsOf = (intent: DeployIntent | null) =>
  (intent?.changes ?? []).flatMap((c) => (c.kind === "build" ? [c.upload.path] : []));
