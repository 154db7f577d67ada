import type { Deploy, Release } from "../../domain/types.js";
import type { EngineContext } from "../context.js";
import { nowMs } from "../context.js";
import { DEFAULT_IDLE_SEC } from "../../canary/settings.js";
import { planSwitchBack, planUndo } from "../plan/traffic-plans.js";
import { DeployError } from "../execute/deploy-error.js";
import { deploySteps, executorFor } from "../execute/wiring.js";
import type { ReleaseChange } from "./intent.js";
import { configDelta } from "./release-change.js";

type Out = (line: string) => void;

export const liveRelease = (ctx: EngineContext, app: string): Release | null => {
  const id = ctx.store.getApp(app)?.liveReleaseId;
  return id ? ctx.store.getRelease(id) : null;
};

/**
 * Blue-green's instant switch back: the standby set (the previous release,
 * still running idle) takes every request in one router change, the
 * current set becomes the standby for the same time, and the target is
 * live again with its config vars and formation. No unit starts.
 */
export async function switchBack(
  ctx: EngineContext,
  d: Deploy,
  change: Extract<ReleaseChange, { kind: "switch-back" }>,
  out: Out,
): Promise<void> {
  const { store, canaries } = ctx;
  const app = d.app;
  const target = store.getRelease(change.releaseId);
  const current = liveRelease(ctx, app);
  const sb = canaries.standby(app);
  const servers = store.routedServers(app).filter((s) => s.process === "web");
  const idle = servers.filter((s) => s.releaseId === change.releaseId);
  const states = await Promise.all(idle.map((s) => ctx.units.get(s.unitId)));
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
      standby: { releaseId: current.id, until: nowMs(ctx) + idleSec * 1000 },
    },
  );
  const exec = executorFor(ctx, app, { steps: deploySteps(ctx, d.id), out });
  try {
    await exec.run(steps);
  } catch (e) {
    if (!exec.committed)
      await exec
        .run(planUndo(exec.effects()))
        .catch((u) => ctx.log(`switch back of ${app}: undo: ${(u as Error).message}`));
    throw e;
  }
  out(
    `-----> v${target.version} is live again: its ${idle.length} standby web container(s) take every request; v${current.version}'s stand by for ${idleSec} s`,
  );
}
