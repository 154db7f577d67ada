import { AppError } from "../errors/app-error.js";
import type { Store } from "../store/store.js";
import type { RouterMetrics } from "../metrics/sampler.js";
import type { Figures } from "../metrics/series.js";
import { heldMs } from "./analysis.js";
import type { Canary, CanaryStore } from "./canary-store.js";

/** GET /apps/:app/deploy-status: the app's current (or last) canary, with live figures of both releases. */
export interface CanaryStatusView {
  deployId: number;
  /** the deploy's number in the app (#N), as shown */
  deployNumber: number;
  state: Canary["state"];
  paused: boolean;
  release: number;
  previousRelease: number;
  steps: number[];
  /** 0-based; -1 while the new containers start */
  stepIndex: number;
  percent: number;
  weights: { new: number; old: number; newServers: string[]; oldServers: string[] };
  stepSec: number;
  stepRequests: number | null;
  heldSec: number | null;
  /** seconds until the step may advance (by time), null when paused or not holding */
  nextStepInSec: number | null;
  /** figures since the current step began (the old release over the same window) */
  figures: { new: Figures; old: Figures } | null;
  /** why the last analysis could not judge yet, or why it aborted; null when healthy */
  verdict: string | null;
  settings: Canary["settings"];
  startedAt: string;
  finishedAt: string | null;
}

/** Pause, resume, promote and abort are written to the store; the running canary obeys at its next tick. */
export class CanaryControl {
  constructor(
    private readonly deps: { store: Store; canaries: CanaryStore; metrics: RouterMetrics; now?: () => number },
  ) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  status(app: string): CanaryStatusView | null {
    const c = this.deps.canaries.latest(app);
    return c ? this.view(c) : null;
  }

  private active(app: string): Canary {
    const c = this.deps.canaries.active(app);
    if (!c || c.state === "promoting")
      throw new AppError(
        "no_canary",
        `app ${app} has no canary in progress`,
        `'yk deploy:status -a ${app}' shows the last one.`,
      );
    return c;
  }

  pause(app: string): CanaryStatusView {
    const c = this.active(app);
    if (c.pausedAt === null) this.deps.canaries.update(c.deployId, { pausedAt: this.now() });
    return this.view(this.deps.canaries.get(c.deployId)!);
  }

  resume(app: string): CanaryStatusView {
    const c = this.active(app);
    if (c.pausedAt !== null)
      this.deps.canaries.update(c.deployId, {
        pausedAt: null,
        pausedMs: c.pausedMs + Math.max(0, this.now() - c.pausedAt),
      });
    return this.view(this.deps.canaries.get(c.deployId)!);
  }

  promote(app: string): CanaryStatusView {
    const c = this.active(app);
    // a promotion also ends a pause: the operator has decided
    this.deps.canaries.update(c.deployId, {
      command: "promote",
      ...(c.pausedAt !== null ? { pausedAt: null, pausedMs: c.pausedMs + Math.max(0, this.now() - c.pausedAt) } : {}),
    });
    return this.view(this.deps.canaries.get(c.deployId)!);
  }

  abort(app: string): CanaryStatusView {
    const c = this.active(app);
    this.deps.canaries.update(c.deployId, { command: "abort" });
    return this.view(this.deps.canaries.get(c.deployId)!);
  }

  private view(c: Canary): CanaryStatusView {
    const { store, metrics } = this.deps;
    const now = this.now();
    const version = (id: number) => store.getRelease(id)?.version ?? 0;
    const servers = store.routedServers(c.app).filter((s) => s.process === "web");
    const holding = c.state === "running" && c.stepStartedAt !== null;
    const clock = holding
      ? {
          startedAt: c.stepStartedAt!,
          pausedMs: c.pausedMs,
          pausedAt: c.pausedAt,
          holdSec: c.settings.stepSec,
          holdRequests: c.settings.stepRequests,
        }
      : null;
    const held = clock ? heldMs(clock, now) : null;
    return {
      deployId: c.deployId,
      deployNumber: store.getDeploy(c.deployId)?.number ?? 0,
      state: c.state,
      paused: c.pausedAt !== null,
      release: version(c.releaseId),
      previousRelease: version(c.previousReleaseId),
      steps: c.settings.steps,
      stepIndex: c.stepIndex,
      percent: c.percent,
      weights: {
        new: c.newWeight,
        old: c.oldWeight,
        newServers: servers.filter((s) => s.releaseId === c.releaseId).map((s) => s.name),
        oldServers: servers.filter((s) => s.releaseId !== c.releaseId).map((s) => s.name),
      },
      stepSec: c.settings.stepSec,
      stepRequests: c.settings.stepRequests,
      heldSec: held === null ? null : held / 1000,
      nextStepInSec: held === null || c.pausedAt !== null ? null : Math.max(0, c.settings.stepSec - held / 1000),
      figures: holding
        ? {
            new: metrics.figures(c.app, version(c.releaseId), c.stepStartedAt!),
            old: metrics.figures(c.app, version(c.previousReleaseId), c.stepStartedAt!),
          }
        : null,
      verdict: c.verdict,
      settings: c.settings,
      startedAt: new Date(c.startedAt).toISOString(),
      finishedAt: c.finishedAt === null ? null : new Date(c.finishedAt).toISOString(),
    };
  }
}
