/**
 * Which run containers to remove: a pure decision (the caller lists Docker
 * and applies it), so that no run container lingers.
 * - an attached run (or one created and waiting for its attach) is left to its session;
 * - never attached and created over `unattachedMs` ago: its client went away;
 * - running, not detached and not attached here: its client is gone (the
 *   server restarted under it), so it is stopped;
 * - exited and not detached: its exit code was read by its session, or nobody waits for it;
 * - exited and detached: kept `graceMs` after it was first seen exited, so `yk logs` shows it.
 */
export interface RunContainer {
  id: string;
  state: string;
  /** label yadokari.run.detach; null when unknown */
  detached: boolean | null;
  createdAtMs: number;
}

export interface SweepInput {
  runs: RunContainer[];
  /** ids with a session in this server (attached, or created and awaiting the attach) */
  active: Set<string>;
  /** when each id was first seen exited (kept by the caller between sweeps) */
  exitedSince: Map<string, number>;
  now: number;
  graceMs: number;
  unattachedMs: number;
}

export interface SweepPlan {
  remove: string[];
  /** ids now seen exited for the first time (the caller records them) */
  firstExited: string[];
}

const RUNNING = new Set(["running", "restarting", "paused"]);
const ENDED = new Set(["exited", "dead"]);

export function planSweep(i: SweepInput): SweepPlan {
  const plan: SweepPlan = { remove: [], firstExited: [] };
  for (const c of i.runs) {
    if (i.active.has(c.id)) continue;
    if (c.state === "created") {
      if (i.now - c.createdAtMs > i.unattachedMs) plan.remove.push(c.id);
    } else if (RUNNING.has(c.state)) {
      if (c.detached === false) plan.remove.push(c.id);
    } else if (ENDED.has(c.state)) {
      if (c.detached !== true) plan.remove.push(c.id);
      else {
        const since = i.exitedSince.get(c.id);
        if (since === undefined) plan.firstExited.push(c.id);
        else if (i.now - since >= i.graceMs) plan.remove.push(c.id);
      }
    }
  }
  return plan;
}
