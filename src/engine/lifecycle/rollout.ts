import type { Deploy, Release } from "../../domain/types.js";
import type { Strategy } from "../../domain/strategy.js";
import type { EngineContext } from "../context.js";
import { nowMs } from "../context.js";
import type { RouterMetrics } from "../../metrics/sampler.js";
import { DEFAULT_IDLE_SEC, resolveCanary } from "../../canary/settings.js";
import { CanaryHold } from "../../canary/hold.js";
import { planDeploy, type PlanUnit } from "../plan/deploy-plan.js";
import type { CommitChange, Step } from "../plan/steps.js";
import { planRetire, planUndo } from "../plan/traffic-plans.js";
import { DeployError } from "../execute/deploy-error.js";
import type { Executor } from "../execute/executor.js";
import { deploySteps, executorFor } from "../execute/wiring.js";
import { restoreChange } from "../execute/commit.js";
import { newSuffix } from "../suffix.js";

type Out = (line: string) => void;

/** How a deploy's web units roll out. */
export interface Rollout {
  /** replace only these process types (ps:restart TYPE) */
  only?: string[];
  /** the canary strategy is off for this rollout (a rollback, a restart, a roll back after a failure) */
  rollingOnly?: boolean;
  /** a canary continued after a restart from its recorded step */
  resume?: { index: number; unitIds: string[] };
}

/**
 * A release's way out: plan (rolling, canary or blue-green), then execute,
 * and when a step fails, the compensation that leaves exactly one release
 * live (undo before the commit, roll the previous release back out after it).
 */
export class Rollouts {
  constructor(
    private readonly ctx: EngineContext,
    /** the router's figures; without them (unit tests) every deploy rolls */
    private readonly metrics: Pick<RouterMetrics, "sample" | "figures"> | null,
    private readonly canaryTickMs?: number,
  ) {}

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
  async rollout(
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
      pidsLimit: this.ctx.pidsLimit,
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
  async retireStandby(app: string, out: Out): Promise<void> {
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
