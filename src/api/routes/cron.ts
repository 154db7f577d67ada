import { Hono } from "hono";
import { flagParam } from "../query-params.js";
import type { ApiServices } from "../services.js";
import type { CronJobView, CronRunView } from "../cron-contract.js";
import { AppError } from "../../errors/app-error.js";
import { nextRun, parseSchedule } from "../../cron/schedule.js";
import { splitLines } from "../../lib/lines.js";
import { textStream } from "../text-stream.js";

/** The rule app.json applies to job names (src/manifest/app-json.ts). */
const JOB_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

function jobName(text: string): string {
  if (!JOB_NAME.test(text)) {
    throw new AppError(
      "invalid_request",
      `invalid cron job name ${JSON.stringify(text.slice(0, 70))}: job names are lowercase letters, digits and '-', at most 63`,
      "'yk cron -a APP' lists the app's jobs.",
    );
  }
  return text;
}

function nextOf(schedule: string, now: Date): string | null {
  try {
    return nextRun(parseSchedule(schedule), now)?.toISOString() ?? null;
  } catch {
    return null;
  }
}

/** Cron jobs of the live release: list, run now, history and output. */
export function cronRoutes(s: ApiServices): Hono {
  const r = new Hono();
  const cron = () => s.cron;

  r.get("/:app/cron", (c) => {
    const app = s.apps.get(c.req.param("app"));
    const release = app.liveReleaseId ? s.ctx.store.getRelease(app.liveReleaseId) : null;
    const last = cron().runs.lastRuns(app.name);
    const now = new Date();
    const views: CronJobView[] = (release?.manifest.cron ?? []).map((j) => {
      const l = last.get(j.name);
      return {
        name: j.name,
        command: j.command,
        schedule: j.schedule,
        concurrencyPolicy: j.concurrencyPolicy,
        nextRun: app.stopped ? null : nextOf(j.schedule, now),
        lastRun: l
          ? { id: l.id, status: l.status, exitCode: l.exitCode, startedAt: l.startedAt, finishedAt: l.finishedAt }
          : null,
      };
    });
    return c.json(views);
  });

  r.post("/:app/cron/:job/run", (c) => {
    const app = s.apps.get(c.req.param("app"));
    return c.json(cron().runNow(app, jobName(c.req.param("job"))), 202);
  });

  /** A job of the live release, or one that has history. */
  const findJob = (appName: string, jobText: string) => {
    const app = s.apps.get(appName);
    const job = jobName(jobText);
    const release = app.liveReleaseId ? s.ctx.store.getRelease(app.liveReleaseId) : null;
    if (!release?.manifest.cron.some((j) => j.name === job) && !cron().runs.hasRuns(app.name, job)) {
      throw new AppError(
        "not_found",
        `${app.name} has no cron job named ${job}`,
        `'yk cron -a ${app.name}' lists its jobs (app.json "cron").`,
      );
    }
    return { app, job };
  };

  const findRun = (appName: string, jobText: string, idText: string): CronRunView => {
    const { app, job } = findJob(appName, jobText);
    const id = /^[0-9]{1,15}$/.test(idText) ? Number(idText) : NaN;
    const run = Number.isSafeInteger(id) ? cron().runs.get(id) : null;
    if (!run || run.app !== app.name || run.job !== job)
      throw new AppError(
        "not_found",
        `no run #${idText} of cron job ${job}`,
        `'yk cron:runs -a ${app.name} ${job}' lists its runs.`,
      );
    return run;
  };

  r.get("/:app/cron/:job/runs", (c) => {
    const { app, job } = findJob(c.req.param("app"), c.req.param("job"));
    return c.json(cron().runs.list(app.name, job));
  });

  r.get("/:app/cron/:job/runs/:id", (c) => c.json(findRun(c.req.param("app"), c.req.param("job"), c.req.param("id"))));

  r.get("/:app/cron/:job/runs/:id/log", (c) => {
    const run = findRun(c.req.param("app"), c.req.param("job"), c.req.param("id"));
    const follow = flagParam(c.req.query("follow"), "follow");
    const stored = (w: { line: (l: string) => void; end: () => void }) => {
      for (const l of splitLines(cron().runs.get(run.id)?.output ?? run.output)) w.line(l);
      w.end();
    };
    return textStream((w) => {
      // While it runs, its output comes from the container; once the container is gone, from the record.
      const abort = new AbortController();
      void (run.status === "running" ? cron().containerOf(run.id) : Promise.resolve(null)).then((container) => {
        if (abort.signal.aborted) return;
        if (!container) return stored(w);
        s.ctx.docker.followLogs(container, { tail: 100000, follow, signal: abort.signal, onLine: w.line }).then(
          () => w.end(),
          () => stored(w),
        );
      });
      return () => abort.abort();
    });
  });
  return r;
}
