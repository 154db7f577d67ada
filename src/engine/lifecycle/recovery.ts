import type { Deploy } from "../../domain/types.js";
import type { EngineContext } from "../context.js";
import { planUndo } from "../plan/traffic-plans.js";
import { DeployError } from "../execute/deploy-error.js";
import { deploySteps, executorFor } from "../execute/wiring.js";
import { configDelta } from "./release-change.js";
import type { Rollouts } from "./rollout.js";

type Out = (line: string) => void;

/**
 * After a restart: a deploy whose commit happened is done (the reconciler
 * completes routing); a canary holding a weighted step continues from it
 * when its new units still run, or is aborted with the old weights back;
 * anything else was interrupted and the previous release stays live.
 */
export async function recoverDeploy(ctx: EngineContext, rollouts: Rollouts, d: Deploy, out: Out): Promise<void> {
  const { store, canaries } = ctx;
  const c = canaries.get(d.id);
  const release = d.releaseId ? store.getRelease(d.releaseId) : null;
  const app = store.getApp(d.app);
  if (c?.state === "running" && release && app) {
    const previous = store.getRelease(c.previousReleaseId);
    out(`-----> The server restarted during canary step ${c.stepIndex + 1} (${c.percent}%)`);
    const web = store.routedServers(d.app).filter((s) => s.process === "web");
    const servers = web.filter((s) => s.releaseId === release.id);
    const units = await Promise.all(servers.map((s) => ctx.units.get(s.unitId)));
    if (previous && servers.length > 0 && units.every((u) => u?.state === "running")) {
      out(`-----> Continuing the canary of v${release.version} from step ${c.stepIndex + 1}`);
      await rollouts.rollout(
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
      await executorFor(ctx, d.app, { steps: deploySteps(ctx, d.id), out }).run(undo);
      out("!      Canary aborted; the previous release keeps serving.");
    } catch (e) {
      // the store has the old weights back whatever the router said: it gets them at its next sync
      ctx.log(`deploy #${d.id}: aborting the canary: ${(e as Error).message}`);
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
