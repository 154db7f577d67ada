import type { Db } from "../store/db.js";
import type { Clock } from "../lib/clock.js";
import type { CronRunStatus, CronRunView } from "./types.js";

/** Runs kept per job (running ones are never pruned). */
export const KEEP_RUNS = 20;

interface RunRow {
  id: number;
  app: string;
  job: string;
  release_version: number;
  source: "schedule" | "manual";
  scheduled_for: string | null;
  started_at: string;
  finished_at: string | null;
  exit_code: number | null;
  status: CronRunStatus;
  output_tail: string;
}

const toRun = (r: RunRow): CronRunView => ({
  id: r.id,
  app: r.app,
  job: r.job,
  release: r.release_version,
  trigger: r.source,
  scheduledFor: r.scheduled_for,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  exitCode: r.exit_code,
  status: r.status,
  output: r.output_tail,
});

export interface NewRun {
  app: string;
  job: string;
  releaseVersion: number;
  trigger: "schedule" | "manual";
  scheduledFor: Date | null;
  /** running, or skipped (recorded as finished at once) */
  status: "running" | "skipped";
  output?: string;
}

/** The cron_runs table: history per job, the scheduler's memory across restarts. No business rules. */
export class CronStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  private now(): string {
    return this.clock.now().toISOString();
  }

  /** Records a run and prunes the job's history to the last KEEP_RUNS (never a running one, nor the newest scheduled one). */
  begin(r: NewRun): CronRunView {
    return this.db.transaction(() => {
      const now = this.now();
      const info = this.db
        .prepare(
          `INSERT INTO cron_runs (app, job, release_version, source, scheduled_for, started_at, finished_at, status, output_tail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          r.app,
          r.job,
          r.releaseVersion,
          r.trigger,
          r.scheduledFor?.toISOString() ?? null,
          now,
          r.status === "skipped" ? now : null,
          r.status,
          r.output ?? "",
        );
      this.db
        .prepare(
          `DELETE FROM cron_runs WHERE app = @app AND job = @job AND status != 'running'
             AND id NOT IN (SELECT id FROM cron_runs WHERE app = @app AND job = @job ORDER BY id DESC LIMIT @keep)
             AND id != COALESCE((SELECT id FROM cron_runs WHERE app = @app AND job = @job AND source = 'schedule' ORDER BY scheduled_for DESC, id DESC LIMIT 1), -1)`,
        )
        .run({ app: r.app, job: r.job, keep: KEEP_RUNS });
      return this.get(Number(info.lastInsertRowid))!;
    })();
  }

  finish(
    id: number,
    f: { status: Exclude<CronRunStatus, "running" | "skipped">; exitCode: number | null; output: string },
  ): void {
    this.db
      .prepare(
        "UPDATE cron_runs SET status = ?, exit_code = ?, output_tail = ?, finished_at = ? WHERE id = ? AND status = 'running'",
      )
      .run(f.status, f.exitCode, f.output, this.now(), id);
  }

  setOutput(id: number, output: string): void {
    this.db.prepare("UPDATE cron_runs SET output_tail = ? WHERE id = ? AND status = 'running'").run(output, id);
  }

  get(id: number): CronRunView | null {
    const r = this.db.prepare("SELECT * FROM cron_runs WHERE id = ?").get(id) as RunRow | undefined;
    return r ? toRun(r) : null;
  }

  /** A job's runs, newest first. */
  list(app: string, job: string, limit = KEEP_RUNS + 50): CronRunView[] {
    return (
      this.db
        .prepare("SELECT * FROM cron_runs WHERE app = ? AND job = ? ORDER BY id DESC LIMIT ?")
        .all(app, job, limit) as RunRow[]
    ).map(toRun);
  }

  hasRuns(app: string, job: string): boolean {
    return this.db.prepare("SELECT 1 FROM cron_runs WHERE app = ? AND job = ? LIMIT 1").get(app, job) !== undefined;
  }

  /** The last run that started (skipped ones aside) per job of an app. */
  lastRuns(app: string): Map<string, CronRunView> {
    const rows = this.db
      .prepare(
        "SELECT * FROM cron_runs WHERE id IN (SELECT MAX(id) FROM cron_runs WHERE app = ? AND status != 'skipped' GROUP BY job)",
      )
      .all(app) as RunRow[];
    return new Map(rows.map((r) => [r.job, toRun(r)]));
  }

  /** The newest scheduled minute recorded per job of an app (run or skipped; manual runs aside). */
  lastScheduled(app: string): Map<string, Date | null> {
    const rows = this.db
      .prepare("SELECT job, MAX(scheduled_for) AS at FROM cron_runs WHERE app = ? AND source = 'schedule' GROUP BY job")
      .all(app) as { job: string; at: string | null }[];
    return new Map(rows.map((r) => [r.job, r.at ? new Date(r.at) : null]));
  }

  /** Runs still going, of one app or of all. */
  running(app?: string): CronRunView[] {
    const rows = app
      ? this.db.prepare("SELECT * FROM cron_runs WHERE status = 'running' AND app = ? ORDER BY id").all(app)
      : this.db.prepare("SELECT * FROM cron_runs WHERE status = 'running' ORDER BY id").all();
    return (rows as RunRow[]).map(toRun);
  }
}
