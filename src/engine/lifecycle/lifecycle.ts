import { rmSync } from "node:fs";
import { AppError } from "../../errors/app-error.js";
import type { Deploy, Release } from "../../domain/types.js";
import type { EngineContext } from "../context.js";
import { nowMs } from "../context.js";
import type { RouterMetrics } from "../../metrics/sampler.js";
import { buildContent } from "../../build/build-release.js";
import { collectImages } from "../images.js";
import { appUrls } from "../urls.js";
import type { CommitChange } from "../plan/steps.js";
import { failureOf, type DeployFailure } from "../execute/deploy-error.js";
import type { DeployIntent } from "./intent.js";
import { applyChanges, configDelta, type AppliedChange, type AppState } from "./release-change.js";
import { Rollouts } from "./rollout.js";
import { switchBack } from "./switch-back.js";
import { recoverDeploy } from "./recovery.js";

type Out = (line: string) => void;

/**
 * The one owner of a deploy's life: queued → building → deploying →
 * succeeded | failed, or superseded (when the queue folds it into a newer one). It moves the
 * status, records the steps (through the executor), and in one `finally`
 * writes the end (status, error code, reason), closes the canary record,
 * ends the log and deletes uploads, whatever happened on the way. A failure
 * before the commit step leaves the app exactly as it was.
 */
export class DeployLifecycle {
  private readonly rollouts: Rollouts;

  constructor(
    private readonly ctx: EngineContext,
    /** the router's figures; without them (unit tests) every deploy rolls */
    metrics: Pick<RouterMetrics, "sample" | "figures"> | null = null,
    canaryTickMs?: number,
  ) {
    this.rollouts = new Rollouts(ctx, metrics, canaryTickMs);
  }

  /** Runs a deploy the queue took. */
  run(id: number): Promise<void> {
    return this.own(id, (d, out) => this.deploy(d, out));
  }

  /** Finishes a deploy that was building or deploying when the server stopped. */
  recover(id: number): Promise<void> {
    return this.own(id, (d, out) => recoverDeploy(this.ctx, this.rollouts, d, out));
  }

  /** Queued deploys whose changes a newer queued one took over (in the queue's transaction). */
  supersede(older: Deploy[], by: Deploy): void {
    this.ctx.store.supersede(
      older.map((d) => d.id),
      by.id,
    );
  }

  /** After the transaction: their logs say so and end; the newer one's says what it carries. */
  superseded(older: Deploy[], by: Deploy): void {
    const { logs } = this.ctx;
    for (const o of older) {
      logs.line(o.id, `-----> This deploy was superseded by deploy #${by.id}, which carries its changes`);
      logs.end(o.id);
    }
    if (older.length)
      logs.line(
        by.id,
        `-----> Carrying the changes of deploy ${older.map((o) => `#${o.id}`).join(", ")}, queued before it`,
      );
  }

  /** Queued deploys of an app being destroyed: their uploads go and their logs end (their records go with the app). */
  discard(queued: Deploy[]): void {
    for (const d of queued) {
      for (const p of uploadsOf(this.ctx.store.deployIntent(d.id))) rmSync(p, { force: true });
      this.ctx.logs.line(d.id, `!      App ${d.app} was destroyed before this deploy ran`);
      this.ctx.logs.end(d.id);
    }
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
    if (intent.changes.length === 1 && first.kind === "switch-back") return switchBack(this.ctx, d, first, out);

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
    await this.rollouts.rollout(
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
            applied.push({
              kind: "content",
              content: await buildContent(this.ctx.engine.images, d.app, c, out, this.ctx),
            });
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
}

const uploadsOf = (intent: DeployIntent | null) =>
  (intent?.changes ?? []).flatMap((c) => (c.kind === "build" ? [c.upload.path] : []));
