import { AppError } from "../errors/app-error.js";
import { validateProcessType } from "../domain/names.js";
import type { App, DeploySettings, Formation, Release } from "../domain/types.js";
import type { EngineContext } from "./context.js";
import type { Deployer } from "./deployer.js";
import type { Reconciler } from "./reconciler.js";
import { parseDeploySettings } from "../manifest/app-json.js";
import { syncRouter } from "./router-sync.js";
import { executorFor } from "./execute/wiring.js";
import { planScaleDown } from "./plan/traffic-plans.js";
import { nowMs } from "./context.js";

export const MAX_SCALE = 50;

/** Validates a `ps:scale` request against the live release's process types. */
export function validateScale(changes: unknown, live: Release | null): Formation {
  if (typeof changes !== "object" || changes === null || Array.isArray(changes) || Object.keys(changes).length === 0) {
    throw new AppError("invalid_request", `give process types and counts, e.g. {"web": 2, "worker": 1}`);
  }
  const out: Formation = {};
  for (const [type, n] of Object.entries(changes as Record<string, unknown>)) {
    validateProcessType(type);
    if (live && live.processes[type] === undefined) {
      throw new AppError(
        "invalid_request",
        `process type '${type}' is not in the live release v${live.version} (it has ${Object.keys(live.processes).join(", ")})`,
        "Add it to the Procfile and deploy, or scale one of the existing types.",
      );
    }
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > MAX_SCALE)
      throw new AppError("invalid_request", `${type}: the count must be a whole number from 0 to ${MAX_SCALE}`);
    out[type] = n;
  }
  return out;
}

/** Scaling, stopping, restarting and rolling back: Heroku's ps:* and rollback. */
export class Processes {
  constructor(
    private readonly ctx: EngineContext,
    private readonly deployer: Deployer,
    private readonly reconciler: Reconciler,
  ) {}

  private live(app: App): Release | null {
    return app.liveReleaseId ? this.ctx.store.getRelease(app.liveReleaseId) : null;
  }

  /**
   * Sets counts. Fewer web containers are drained before they stop; more are
   * started, gated and routed by the reconciler, as a crash would be replaced.
   */
  async scale(app: App, changes: unknown): Promise<Formation> {
    const wanted = validateScale(changes, this.live(app));
    await this.ctx.locks.run(app.name, async () => {
      const formation = { ...this.ctx.store.getApp(app.name)!.formation, ...wanted };
      this.ctx.store.setFormation(app.name, formation);
      const web = this.ctx.store.routedServers(app.name).filter((s) => s.process === "web" && s.state === "ready");
      await executorFor(this.ctx, app.name).run(planScaleDown(web.slice(formation.web ?? 1)));
    });
    await this.reconciler.trigger();
    return this.ctx.store.getApp(app.name)!.formation;
  }

  async stop(app: App): Promise<void> {
    this.ctx.store.setStopped(app.name, true);
    await this.reconciler.trigger();
  }

  async start(app: App): Promise<void> {
    this.ctx.store.setStopped(app.name, false);
    await this.reconciler.trigger();
  }

  /** `body.type`: absent or null restarts every process type; otherwise it must name one of the live release's. */
  restart(app: App, body: Record<string, unknown>, actor = "admin") {
    const type = body.type;
    if (type !== undefined && type !== null && typeof type !== "string")
      throw new AppError(
        "invalid_request",
        `type must be a process type name such as "web" (a string), or absent to restart every process type; got ${JSON.stringify(type)}`,
      );
    if (type === "") throw new AppError("invalid_request", `type must be a process type name such as "web", not empty`);
    const live = this.live(app);
    if (!live)
      throw new AppError(
        "not_found",
        `app ${app.name} has no live release to restart`,
        `Deploy it first: yk deploy -a ${app.name}`,
      );
    if (typeof type === "string" && live.processes[validateProcessType(type)] === undefined)
      throw new AppError("invalid_request", `process type '${type}' is not in the live release v${live.version}`);
    return this.deployer.submitRestart(app.name, typeof type === "string" ? [type] : undefined, actor);
  }

  /**
   * A new release copying vN's image, config and formation, deployed with zero
   * downtime. Refused when vN's image was collected (no rebuild happens here).
   */
  async rollback(app: App, version: number | undefined, actor = "admin") {
    const live = this.live(app);
    if (!live) throw new AppError("not_found", `app ${app.name} has no release to roll back from`);
    const target =
      version === undefined
        ? this.ctx.store.listReleases(app.name).find((r) => r.version < live.version)
        : this.ctx.store.releaseByVersion(app.name, version);
    if (!target)
      throw new AppError(
        "not_found",
        version === undefined
          ? `app ${app.name} has no release before v${live.version}`
          : `app ${app.name} has no release v${version}`,
        `'yk releases -a ${app.name}' lists them.`,
      );
    // blue-green: within the standby window, rolling back to the idle set only moves weights
    const sb = this.ctx.canaries.standby(app.name);
    if (sb && sb.releaseId === target.id && sb.until > nowMs(this.ctx))
      return this.deployer.submitChanges(
        app.name,
        "rollback",
        [{ kind: "switch-back", releaseId: target.id, version: target.version }],
        `Rollback to v${target.version}`,
        actor,
        {
          commit: target.commit,
          queued: `-----> Rollback #? of ${app.name} to v${target.version} queued (switch back to the standby set)`,
        },
      );
    if (!(await this.ctx.engine.images.exists(target.image))) {
      throw new AppError(
        "image_gone",
        `the image of v${target.version} (${target.image}) was removed: only the last releases keep theirs`,
        "Deploy that commit again instead (git push or yk deploy).",
      );
    }
    // Heroku's rollback restores the config vars and the formation too: at the commit, not before.
    return this.deployer.submitChanges(
      app.name,
      "rollback",
      [{ kind: "rollback", releaseId: target.id, version: target.version }],
      `Rollback to v${target.version}`,
      actor,
    );
  }

  async setDeploySettings(app: App, body: unknown): Promise<DeploySettings> {
    const settings = { ...app.deploySettings, ...parseDeploySettings(body, "deploy settings") };
    this.ctx.store.setDeploySettings(app.name, settings);
    // sticky sessions are part of the router's config
    if (settings.sticky !== app.deploySettings.sticky) await syncRouter(this.ctx);
    return settings;
  }
}
