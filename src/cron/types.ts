/**
 * Cron jobs and runs as the scheduler and its store hold them, which is also
 * what the cron routes answer (their schemas, src/api/schemas/work.ts, check
 * the same fields):
 *   GET  /api/v1/apps/:app/cron                        → CronJobView[]
 *   POST /api/v1/apps/:app/cron/:job/run               → 202 CronRunView (409 cron_running under forbid)
 *   GET  /api/v1/apps/:app/cron/:job/runs              → CronRunView[] (newest first, the last 20 kept)
 *   GET  /api/v1/apps/:app/cron/:job/runs/:id          → CronRunView
 *   GET  /api/v1/apps/:app/cron/:job/runs/:id/log      → text/plain: the run's output, followed while it runs
 */

export type CronRunStatus = "running" | "succeeded" | "failed" | "timed_out" | "skipped" | "replaced";

export interface CronRunSummary {
  id: number;
  status: CronRunStatus;
  exitCode: number | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface CronJobView {
  name: string;
  command: string;
  schedule: string;
  concurrencyPolicy: "forbid" | "allow" | "replace";
  /** the next scheduled minute (UTC), null when none or the app is stopped */
  nextRun: string | null;
  /** the last run that started (skipped ones aside), null before the first */
  lastRun: CronRunSummary | null;
}

export interface CronRunView extends CronRunSummary {
  app: string;
  job: string;
  /** the release the run's container was made from */
  release: number;
  /** schedule: started by the clock (scheduledFor is its minute); manual: cron:run */
  trigger: "schedule" | "manual";
  scheduledFor: string | null;
  /** the last lines of its output (up to 200 lines, 64 KiB); for a skipped run, why */
  output: string;
}
