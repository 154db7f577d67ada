import type { Release } from "../domain/types.js";
import type { RouterMetrics } from "../metrics/sampler.js";
import type { Figures } from "../metrics/series.js";
import type { CanaryGate } from "../engine/execute/executor.js";
import type { CanaryMark } from "../engine/plan/steps.js";
import { DeployError } from "../engine/execute/deploy-error.js";
import { analyse, stepDecision } from "./analysis.js";
import type { CanaryStore } from "./canary-store.js";

export interface CanaryHoldDeps {
  metrics: Pick<RouterMetrics, "sample" | "figures">;
  canaries: CanaryStore;
  deployId: number;
  release: Release;
  previous: Release;
  out: (l: string) => void;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** how often a held step samples the router and reads the store's commands (default 500 ms) */
  tickMs?: number;
}

const pct = (r: number) => `${(r * 100).toFixed(2)}%`;
const ms = (v: number | null) => (v === null ? "-" : `${v.toFixed(1)} ms`);
export const describeFigures = (f: Figures) =>
  `${f.requests} requests, ${f.errors5xx} 5xx, ${f.connErrors} conn errors (${pct(f.errorRate)}), p95 ${ms(f.p95Ms)}`;

class Verdict extends Error {}

/**
 * A canary step's hold, the gate of the plan's `hold` steps: records the
 * step's weights (which the executor has just applied), then samples the
 * router and analyses both releases' figures until the step may advance,
 * obeying pause, resume, promote and abort recorded in the store by the API.
 * A bad verdict or an abort request fails the step (DeployError
 * canary_aborted); the executor's caller then runs the undo plan. It changes
 * no weight itself.
 */
export class CanaryHold implements CanaryGate {
  constructor(private readonly d: CanaryHoldDeps) {}

  promotePending(): boolean {
    const c = this.d.canaries.get(this.d.deployId);
    if (c?.command !== "promote") return false;
    this.d.canaries.update(this.d.deployId, { command: null });
    return true;
  }

  async hold(mark: CanaryMark, opts: { wait: boolean }): Promise<"advance" | "promoted"> {
    try {
      return await this.holdStep(mark, opts.wait);
    } catch (e) {
      const reason = (e as Error).message;
      this.d.canaries.update(this.d.deployId, { verdict: reason });
      throw new DeployError(
        "canary_aborted",
        `canary aborted at step ${mark.index + 1}/${mark.total} (${mark.percent}%): ${reason}`,
      );
    }
  }

  private async holdStep(mark: CanaryMark, wait: boolean): Promise<"advance" | "promoted"> {
    const { canaries, deployId, release, previous, metrics, out } = this.d;
    const c = canaries.get(deployId)!;
    const s = c.settings;
    await metrics.sample(); // the step's window starts here
    const t0 = this.d.now();
    canaries.update(deployId, {
      state: "running",
      stepIndex: mark.index,
      percent: mark.percent,
      newWeight: mark.newWeight,
      oldWeight: mark.oldWeight,
      stepStartedAt: t0,
      pausedMs: 0,
      pausedAt: c.pausedAt !== null ? t0 : null,
    });
    out(
      `-----> Canary step ${mark.index + 1}/${mark.total}: v${release.version} gets ${mark.percent}% of requests (weight ${mark.newWeight} on ${mark.newServers} new, ${mark.oldWeight} on ${mark.oldServers} v${previous.version} server(s))${wait ? `; holding ${s.stepSec} s${s.stepRequests ? ` or ${s.stepRequests} requests` : ""}` : ""}`,
    );
    if (!wait) return "advance";
    const tick = this.d.tickMs ?? 500;
    for (;;) {
      await this.d.sleep(tick);
      await metrics.sample();
      const row = canaries.get(deployId)!;
      if (row.command === "abort") {
        canaries.update(deployId, { command: null });
        throw new Verdict("aborted by request (deploy:abort)");
      }
      const nu = metrics.figures(release.app, release.version, t0);
      const oldF = metrics.figures(release.app, previous.version, row.startedAt);
      const v = analyse(nu, oldF, s);
      canaries.update(deployId, { verdict: v.reason });
      if (row.command === "promote" && v.decision !== "abort") {
        canaries.update(deployId, { command: null });
        out(`-----> Promoted at step ${mark.index + 1}: ${mark.percent < 100 ? "going to 100%" : "ending the hold"}`);
        return "promoted";
      }
      const now = this.d.now();
      const d = stepDecision(
        {
          startedAt: t0,
          pausedMs: row.pausedMs,
          pausedAt: row.pausedAt,
          holdSec: s.stepSec,
          holdRequests: s.stepRequests,
        },
        v,
        nu.requests,
        now,
      );
      if (d.action === "abort")
        throw new Verdict(`${v.reason} (after ${((now - t0) / 1000).toFixed(1)} s at ${mark.percent}%)`);
      if (d.action === "advance") {
        out(
          `-----> Step ${mark.index + 1} passed: v${release.version} ${describeFigures(nu)}; v${previous.version} ${describeFigures(metrics.figures(release.app, previous.version, t0))}${d.unjudged ? ` (not judged: ${v.reason})` : ""}`,
        );
        return "advance";
      }
    }
  }
}
