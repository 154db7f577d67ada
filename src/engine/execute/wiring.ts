import type { EngineContext } from "../context.js";
import { nowMs } from "../context.js";
import { gate, type GateDeps } from "../health/gate.js";
import { syncRouter } from "../router-sync.js";
import { backendName } from "../../domain/names.js";
import { DEFAULT_PORT } from "../plan/unit-spec.js";
import type { OwnedUnit } from "../units.js";
import { commitChange } from "./commit.js";
import { Executor, NO_STEP_LOG, type CanaryGate, type RouterSync, type StepLog } from "./executor.js";

/** The live router as the executor drives it: synced from the store, asked for a server's sessions. */
export function routerSync(ctx: EngineContext): RouterSync {
  return {
    sync: () => syncRouter(ctx),
    sessions: (app, server) => ctx.router.serverSessions(backendName(app, "web"), server),
  };
}

/** The health gate's dependencies: the probe, and the unit's state from the engine (recorded units only). */
export function gateDeps(ctx: EngineContext): GateDeps {
  return {
    probe: ctx.probe,
    state: async (id) => {
      const u = await ctx.units.get(id);
      return { running: u?.state === "running", exitCode: u?.exitCode ?? null };
    },
    now: () => nowMs(ctx),
    sleep: ctx.sleep,
  };
}

/** A deploy's steps, recorded in the store before and after each. */
export function deploySteps(ctx: EngineContext, deployId: number): StepLog {
  return {
    start: (name, detail) => ctx.store.startStep(deployId, name, detail),
    finish: (id, status, detail) => {
      if (id !== null) ctx.store.finishStep(id, status, detail ?? null);
    },
  };
}

/** The executor for one plan of an app. */
export function executorFor(
  ctx: EngineContext,
  app: string,
  opts: {
    steps?: StepLog;
    out?: (line: string) => void;
    canary?: CanaryGate;
    onGateFailure?: (unit: OwnedUnit, reason: string) => void;
    /** the router the plan's route changes go to (default: the live one, synced from the store) */
    router?: RouterSync;
  } = {},
): Executor {
  const deps = gateDeps(ctx);
  return new Executor({
    app,
    units: ctx.units,
    routes: ctx.store,
    router: opts.router ?? routerSync(ctx),
    commit: (change) => commitChange(ctx, app, change),
    setStandby: (releaseId, until) => ctx.canaries.setStandby(app, releaseId, until),
    gate: (u, hc) =>
      gate(
        { id: u.id, name: u.name, address: u.endpoint?.address ?? null, port: u.endpoint?.port ?? DEFAULT_PORT },
        hc,
        deps,
      ),
    runOneOff: (spec, o) => ctx.oneOffs.runToEnd(spec, o),
    canary: opts.canary,
    steps: opts.steps ?? NO_STEP_LOG,
    out: opts.out ?? (() => {}),
    log: ctx.log,
    now: () => nowMs(ctx),
    sleep: ctx.sleep,
    drainTimeoutSec: ctx.drainTimeoutSec,
    stopTimeoutSec: ctx.stopTimeoutSec,
    // background work keeps the app busy (the reconciler leaves a draining server alone) and the next deploy waits for it
    track: (work) =>
      ctx.locks.track(
        app,
        ctx.locks.hold(app, () => work),
      ),
    onGateFailure: opts.onGateFailure,
  });
}
