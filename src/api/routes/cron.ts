import { z } from "@hono/zod-openapi";
import { access } from "../../accounts/policy.js";
import { AppError } from "../../errors/app-error.js";
import { nextRun, parseSchedule } from "../../cron/schedule.js";
import type { CronRunView as CronRun } from "../../cron/types.js";
import { splitLines } from "../../lib/lines.js";
import type { ApiRouter } from "../app.js";
import type { ApiServices } from "../services.js";
import { defineRoute } from "../route.js";
import { json, textStream as textDoc } from "../schemas/common.js";
import { AppName, Follow, JobName, RowId } from "../schemas/ids.js";
import { CronJobView, CronRunView } from "../schemas/work.js";
import { textStream } from "../text-stream.js";

const AppParams = z.strictObject({ app: AppName });
const JobParams = z.strictObject({ app: AppName, job: JobName });
const RunParams = z.strictObject({ app: AppName, job: JobName, id: RowId });

const listJobs = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/cron",
  summary: "The live release's cron jobs with their next and last runs",
  access: access.app("viewer"),
  request: { params: AppParams },
  responses: { 200: json(z.array(CronJobView)) },
});

const runNow = defineRoute({
  method: "post",
  path: "/api/v1/apps/{app}/cron/{job}/run",
  summary: "Start a run of the job now (409 cron_running while one runs under concurrency_policy forbid)",
  access: access.app("deployer"),
  request: { params: JobParams },
  responses: { 202: json(CronRunView, "Accepted: the run started") },
  errors: [409],
});

const listRuns = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/cron/{job}/runs",
  summary: "The job's last runs, newest first, with their output",
  access: access.app("viewer"),
  request: { params: JobParams },
  responses: { 200: json(z.array(CronRunView)) },
});

const showRun = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/cron/{job}/runs/{id}",
  summary: "One run",
  access: access.app("viewer"),
  request: { params: RunParams },
  responses: { 200: json(CronRunView) },
});

const runLog = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/cron/{job}/runs/{id}/log",
  summary: "A run's output; with follow=1 it streams until the run ends",
  access: access.app("viewer"),
  request: { params: RunParams, query: z.strictObject({ follow: Follow }) },
  responses: { 200: textDoc("the run's output") },
});

function nextOf(schedule: string, now: Date): string | null {
  try {
    return nextRun(parseSchedule(schedule), now)?.toISOString() ?? null;
  } catch {
    return null;
  }
}

/** Cron jobs of the live release: list, run now, history and output. */
export function registerCron(r: ApiRouter, s: ApiServices): void {
  const cron = () => s.cron;

  r.openapi(listJobs, (c) => {
    const app = s.apps.get(c.req.valid("param").app);
    const release = app.liveReleaseId ? s.ctx.store.getRelease(app.liveReleaseId) : null;
    const last = cron().runs.lastRuns(app.name);
    const now = s.ctx.clock.now();
    const views = (release?.manifest.cron ?? []).map((j) => {
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
    return c.json(views, 200);
  });

  r.openapi(runNow, (c) => {
    const { app, job } = c.req.valid("param");
    return c.json(cron().runNow(s.apps.get(app), job), 202);
  });

  /** A job of the live release, or one that has history. */
  const findJob = (appName: string, job: string) => {
    const app = s.apps.get(appName);
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

  const findRun = (p: { app: string; job: string; id: number }): CronRun => {
    const { app, job } = findJob(p.app, p.job);
    const run = cron().runs.get(p.id);
    if (!run || run.app !== app.name || run.job !== job)
      throw new AppError(
        "not_found",
        `no run #${p.id} of cron job ${job}`,
        `'yk cron:runs -a ${app.name} ${job}' lists its runs.`,
      );
    return run;
  };

  r.openapi(listRuns, (c) => {
    const { app, job } = findJob(c.req.valid("param").app, c.req.valid("param").job);
    return c.json(cron().runs.list(app.name, job), 200);
  });

  r.openapi(showRun, (c) => c.json(findRun(c.req.valid("param")), 200));

  r.openapi(runLog, (c) => {
    const run = findRun(c.req.valid("param"));
    const follow = c.req.valid("query").follow;
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
        s.ctx.units.followLogs(container, { tail: 100000, follow, signal: abort.signal, onLine: w.line }).then(
          () => w.end(),
          () => stored(w),
        );
      });
      return () => abort.abort();
    });
  });
}
