import type { Db } from "../store/db.js";
import type { CanarySettings } from "./settings.js";

/**
 * A canary's recorded state (the canaries table), written at every step so a
 * restarted server knows how far it got. States: starting (new containers
 * starting), running (a weighted step), promoting (after 100 %: old ones
 * retire), succeeded, aborted. A pause is `pausedAt`; `command` is a pending
 * promote or abort from the API, which the running canary picks up.
 */
export type CanaryState = "starting" | "running" | "promoting" | "succeeded" | "aborted";
export type CanaryCommand = "promote" | "abort";

export interface Canary {
  deployId: number;
  app: string;
  releaseId: number;
  previousReleaseId: number;
  settings: CanarySettings;
  state: CanaryState;
  stepIndex: number;
  percent: number;
  newWeight: number;
  oldWeight: number;
  startedAt: number;
  stepStartedAt: number | null;
  pausedAt: number | null;
  pausedMs: number;
  command: CanaryCommand | null;
  /** the last analysis: a reason to abort, or why it could not judge yet; null when healthy */
  verdict: string | null;
  finishedAt: number | null;
}

interface Row {
  deploy_id: number;
  app: string;
  release_id: number;
  previous_release_id: number;
  settings: string;
  state: CanaryState;
  step_index: number;
  percent: number;
  new_weight: number;
  old_weight: number;
  started_at: number;
  step_started_at: number | null;
  paused_at: number | null;
  paused_ms: number;
  command: CanaryCommand | null;
  verdict: string | null;
  finished_at: number | null;
}

const toCanary = (r: Row): Canary => ({
  deployId: r.deploy_id,
  app: r.app,
  releaseId: r.release_id,
  previousReleaseId: r.previous_release_id,
  settings: JSON.parse(r.settings),
  state: r.state,
  stepIndex: r.step_index,
  percent: r.percent,
  newWeight: r.new_weight,
  oldWeight: r.old_weight,
  startedAt: r.started_at,
  stepStartedAt: r.step_started_at,
  pausedAt: r.paused_at,
  pausedMs: r.paused_ms,
  command: r.command,
  verdict: r.verdict,
  finishedAt: r.finished_at,
});

const COLUMNS: Record<string, string> = {
  state: "state",
  stepIndex: "step_index",
  percent: "percent",
  newWeight: "new_weight",
  oldWeight: "old_weight",
  stepStartedAt: "step_started_at",
  pausedAt: "paused_at",
  pausedMs: "paused_ms",
  command: "command",
  verdict: "verdict",
  finishedAt: "finished_at",
};
export type CanaryChange = Partial<
  Pick<
    Canary,
    | "state"
    | "stepIndex"
    | "percent"
    | "newWeight"
    | "oldWeight"
    | "stepStartedAt"
    | "pausedAt"
    | "pausedMs"
    | "command"
    | "verdict"
    | "finishedAt"
  >
>;

export class CanaryStore {
  constructor(private readonly db: Db) {}

  create(c: {
    deployId: number;
    app: string;
    releaseId: number;
    previousReleaseId: number;
    settings: CanarySettings;
    now: number;
  }): Canary {
    this.db
      .prepare(
        "INSERT INTO canaries (deploy_id, app, release_id, previous_release_id, settings, state, started_at) VALUES (?, ?, ?, ?, ?, 'starting', ?)",
      )
      .run(c.deployId, c.app, c.releaseId, c.previousReleaseId, JSON.stringify(c.settings), c.now);
    return this.get(c.deployId)!;
  }

  get(deployId: number): Canary | null {
    const r = this.db.prepare("SELECT * FROM canaries WHERE deploy_id = ?").get(deployId) as Row | undefined;
    return r ? toCanary(r) : null;
  }

  /** The app's canary that has not ended, if any. */
  active(app: string): Canary | null {
    const r = this.db
      .prepare(
        "SELECT * FROM canaries WHERE app = ? AND state IN ('starting','running','promoting') ORDER BY deploy_id DESC LIMIT 1",
      )
      .get(app) as Row | undefined;
    return r ? toCanary(r) : null;
  }

  /** The app's latest canary, ended or not. */
  latest(app: string): Canary | null {
    const r = this.db.prepare("SELECT * FROM canaries WHERE app = ? ORDER BY deploy_id DESC LIMIT 1").get(app) as
      Row | undefined;
    return r ? toCanary(r) : null;
  }

  update(deployId: number, change: CanaryChange): void {
    const keys = Object.keys(change).filter((k) => COLUMNS[k]);
    if (!keys.length) return;
    this.db
      .prepare(`UPDATE canaries SET ${keys.map((k) => `${COLUMNS[k]} = ?`).join(", ")} WHERE deploy_id = ?`)
      .run(...keys.map((k) => (change as Record<string, unknown>)[k] ?? null), deployId);
  }

  // blue-green: the app's idle previous web set, kept until `until` (ms since the epoch)
  standby(app: string): { releaseId: number; until: number } | null {
    const r = this.db.prepare("SELECT release_id, until FROM standby WHERE app = ?").get(app) as
      { release_id: number; until: number } | undefined;
    return r ? { releaseId: r.release_id, until: r.until } : null;
  }
  allStandby(): { app: string; releaseId: number; until: number }[] {
    return (
      this.db.prepare("SELECT app, release_id, until FROM standby").all() as {
        app: string;
        release_id: number;
        until: number;
      }[]
    ).map((r) => ({ app: r.app, releaseId: r.release_id, until: r.until }));
  }
  setStandby(app: string, releaseId: number, until: number): void {
    this.db
      .prepare(
        "INSERT INTO standby (app, release_id, until) VALUES (?, ?, ?) ON CONFLICT (app) DO UPDATE SET release_id = excluded.release_id, until = excluded.until",
      )
      .run(app, releaseId, until);
  }
  dropStandby(app: string): void {
    this.db.prepare("DELETE FROM standby WHERE app = ?").run(app);
  }
}
