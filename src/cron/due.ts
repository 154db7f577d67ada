import type { CronJob } from "../domain/types.js";
import { nextRun, parseSchedule, type Schedule } from "./schedule.js";

/**
 * Which cron runs are due now: the jobs of the live release, when each was
 * last scheduled and which ones still run, compared with the clock. Pure
 * (Nomad's reconciler shape): the scheduler applies the decisions.
 */

/** start: a new run; skip: record a skipped run (forbid); replace: stop the running one(s), then start. */
export type CronAction = "start" | "skip" | "replace";

export interface DueRun {
  job: string;
  /** the scheduled minute this run stands for: the latest one when several passed unrun */
  scheduledFor: Date;
  action: CronAction;
  /** the minute passed a while ago (the server was down): this one run stands for all missed ones */
  catchUp: boolean;
}

export interface DueInput {
  jobs: CronJob[];
  /** the newest scheduled minute recorded per job (run or skipped); null or absent: never */
  lastScheduled: Map<string, Date | null>;
  /** jobs with a run still going */
  running: Set<string>;
  now: Date;
  /**
   * Since when the job list has been live (the live release's creation): a job
   * that never ran looks no further back, so a new @daily job does not "catch
   * up" the midnight before it existed.
   */
  since: Date;
}

/** A run that starts this much after its minute was missed, not merely picked up by the next tick. */
export const CATCH_UP_AFTER_MS = 60_000;

/** What the concurrency policy says about a job that may still be running. */
export function policyAction(job: Pick<CronJob, "concurrencyPolicy">, running: boolean): CronAction {
  if (!running) return "start";
  if (job.concurrencyPolicy === "allow") return "start";
  if (job.concurrencyPolicy === "replace") return "replace";
  return "skip";
}

// Windows searched for the latest scheduled minute, smallest first, so a
// dense schedule after a long outage costs at most an hour of minutes.
const WINDOWS_MS = [3600e3, 86400e3, 32 * 86400e3, 367 * 86400e3, 5 * 367 * 86400e3];

/** The latest scheduled minute in (after, now], or null. */
export function latestScheduled(s: Schedule, after: Date, now: Date): Date | null {
  if (now.getTime() <= after.getTime()) return null;
  for (const w of WINDOWS_MS) {
    const from = Math.max(after.getTime(), now.getTime() - w);
    let last: Date | null = null;
    for (let t = nextRun(s, new Date(from)); t && t.getTime() <= now.getTime(); t = nextRun(s, t)) last = t;
    if (last || from === after.getTime()) return last;
  }
  return null;
}

export function dueRuns(input: DueInput): DueRun[] {
  const out: DueRun[] = [];
  for (const job of input.jobs) {
    let schedule: Schedule;
    try {
      schedule = parseSchedule(job.schedule);
    } catch {
      continue; // app.json validation refuses these; an old release's bad schedule runs nothing
    }
    const after = input.lastScheduled.get(job.name) ?? input.since;
    // All minutes missed since `after` collapse into their latest: at most one run per evaluation.
    const at = latestScheduled(schedule, after, input.now);
    if (!at) continue;
    out.push({
      job: job.name,
      scheduledFor: at,
      action: policyAction(job, input.running.has(job.name)),
      catchUp: input.now.getTime() - at.getTime() >= CATCH_UP_AFTER_MS,
    });
  }
  return out;
}
