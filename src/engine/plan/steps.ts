import type { Formation } from "../../domain/types.js";
import type { HealthCheck } from "../../domain/health-check.js";
import type { UnitSpec } from "../../engines/engine.js";

/**
 * A plan is a list of steps, pure data; the executor (../execute/executor.ts)
 * is the only code that runs them, records each, and the only code that
 * changes which units the router sends requests to.
 *   release-phase  the release command runs once, before any new unit
 *   start / adopt  a batch of units: started now, or already running (a resumed canary, a repair)
 *   gate           the batch passes its health check (from outside), or the plan fails
 *   commit         the release goes live with its config and formation, in one transaction
 *   weights        one router change: a batch routed in, servers' weights and states set, servers taken out
 *   drain          servers take no new request; in-flight ones finish (bounded by the drain timeout)
 *   remove         servers out of the router, units stopped and removed
 *   hold           the plan waits: a pause, or a canary step whose gate is the analysis of the router's figures
 *   standby        blue-green: the old set stays running, idle, for a switch back
 *   background     steps run off the path that decides when a deploy is done (the next deploy waits for them)
 */
export type Step =
  | { kind: "release-phase"; spec: UnitSpec; command: string; timeoutSec: number }
  | { kind: "start"; batch: string; process: string; specs: UnitSpec[] }
  | { kind: "adopt"; batch: string; unitIds: string[] }
  | {
      kind: "gate";
      batch: string;
      healthcheck: HealthCheck;
      /** repairs: a unit that fails is removed (and reported), the others go on */
      each?: boolean;
    }
  | { kind: "commit"; change: CommitChange }
  | WeightsStep
  | { kind: "drain"; name: string; servers: string[] }
  | { kind: "remove"; name: string; servers: string[]; unitIds: string[]; batches?: string[] }
  | { kind: "hold"; name: string; seconds?: number; canary?: CanaryMark }
  | { kind: "standby"; releaseId: number; servers: string[]; idleSec: number }
  | { kind: "background"; name: string; steps: Step[] };

export type ServerState = "ready" | "drain";

/** A routed server's weight and state (HAProxy weights 0..256; drain: no new requests). */
export interface ServerChange {
  name: string;
  weight: number;
  state: ServerState;
}

export interface WeightsStep {
  kind: "weights";
  name: string;
  /** every unit of these batches joins the router */
  route?: { batch: string; weight: number }[];
  /** servers already routed */
  set?: ServerChange[];
  /** servers taken out of the router (their units are left alone) */
  unroute?: string[];
  /** servers whose unit is reached elsewhere now (the engine restarted it) */
  readdress?: { name: string; address: string; port: number }[];
  canary?: CanaryMark;
}

/** Marks a canary's steps: skipped once the canary is promoted (except the one at 100 %). */
export interface CanaryMark {
  /** 0-based */
  index: number;
  percent: number;
  total: number;
  newWeight: number;
  oldWeight: number;
  newServers: number;
  oldServers: number;
}

/**
 * What the commit step changes, in one transaction: the live release, the
 * app's config vars and formation as that release has them, and that the
 * app runs. A release change is computed from the live release before the
 * deploy starts; nothing about the app changes before this step.
 */
export interface CommitChange {
  /** the live release after the commit; null only when a failed first deploy is undone */
  releaseId: number | null;
  /** config vars to set and unset (only the keys that change) */
  config: { set: Record<string, string>; unset: string[] } | null;
  formation: Formation | null;
  /** a deploy means the app should run (false); undoing a commit restores what it was */
  stopped?: boolean;
  /** blue-green: the standby set after the commit (until: ms since the epoch); "drop" forgets it */
  standby?: { releaseId: number; until: number } | "drop";
}

/** The app's state as a commit found it, so that undoing a commit restores it exactly. */
export interface CommitSnapshot {
  releaseId: number | null;
  config: Record<string, string>;
  formation: Formation;
  stopped: boolean;
  standby: { releaseId: number; until: number } | null;
}
