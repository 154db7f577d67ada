import { Option, type Command } from "commander";
import type { CronJobView, CronRunView } from "../../cron/types.js";
import { apiPath, CliError, type Api } from "../api-client.js";
import { relativeTime, renderJson, renderTable } from "../output.js";
import { appOption, jsonOption, type CliContext } from "./context.js";

const POLL_MS = 300;

/** "2026-03-01 10:05 UTC" */
export const utcMinute = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "-");

function duration(run: Pick<CronRunView, "startedAt" | "finishedAt" | "status">): string {
  if (run.status === "skipped") return "-";
  if (!run.finishedAt) return "running";
  const s = Math.max(0, Math.round((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

const exitText = (code: number | null) => (code === null ? "-" : String(code));

async function waitForEnd(api: Api, app: string, job: string, id: number): Promise<CronRunView> {
  for (;;) {
    const run = await api.json<CronRunView>("GET", apiPath("apps", app, "cron", job, "runs", String(id)));
    if (run.status !== "running") return run;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** A run that did not succeed, as the one error main/cli.ts prints; the exit code is the job's. */
export function runError(run: CronRunView): CliError {
  const how =
    run.status === "timed_out"
      ? "timed out"
      : run.status === "replaced"
        ? "was replaced by a newer run"
        : run.exitCode === null
          ? "failed to run"
          : `exited with code ${run.exitCode}`;
  const exitCode = run.exitCode !== null && run.exitCode > 0 && run.exitCode < 256 ? run.exitCode : 1;
  return new CliError(
    "cron_failed",
    `Run #${run.id} of cron job ${run.job} ${how}.`,
    `Its output is kept: yk cron:runs -a ${run.app} ${run.job} --output`,
    { exitCode },
  );
}

export function registerCron(program: Command, ctx: CliContext): void {
  program
    .command("cron")
    .description('list an app\'s cron jobs (app.json "cron") with their next and last runs')
    .addOption(appOption())
    .addOption(jsonOption())
    .action(async (opts: { app: string; json?: boolean }) => {
      const jobs = await ctx.api().json<CronJobView[]>("GET", apiPath("apps", opts.app, "cron"));
      if (opts.json) return ctx.out(renderJson(jobs));
      if (jobs.length === 0) return ctx.out(`${opts.app} has no cron jobs. Add them to app.json "cron" and deploy.\n`);
      const now = ctx.now();
      ctx.out(
        renderTable(
          ["job", "schedule", "policy", "next run", "last run", "status", "exit code"],
          jobs.map((j) => [
            j.name,
            j.schedule,
            j.concurrencyPolicy,
            utcMinute(j.nextRun),
            j.lastRun ? relativeTime(j.lastRun.startedAt, now) : "never",
            j.lastRun?.status ?? "-",
            exitText(j.lastRun?.exitCode ?? null),
          ]),
        ),
      );
    });

  program
    .command("cron:run")
    .description("run a cron job now; --wait follows its output and exits with its exit code")
    .addOption(appOption())
    .argument("<job>", "the job's name (yk cron lists them)")
    .option("--wait", "follow the run's output until it ends; exit with its exit code")
    .action(async (job: string, opts: { app: string; wait?: boolean }) => {
      const api = ctx.api();
      const run = await api.json<CronRunView>("POST", apiPath("apps", opts.app, "cron", job, "run"));
      ctx.out(`Started run #${run.id} of ${run.job} (release v${run.release})\n`);
      if (!opts.wait) return;
      let streamed = 0;
      for await (const line of api.lines(
        apiPath("apps", opts.app, "cron", job, "runs", String(run.id), "log") + "?follow=1",
      )) {
        streamed++;
        ctx.out(line + "\n");
      }
      const end = await waitForEnd(api, opts.app, job, run.id);
      // nothing streamed (it never started, or the stream dropped at once): the record has what is known
      if (streamed === 0 && end.output) ctx.out(end.output);
      if (end.status !== "succeeded") throw runError(end);
      ctx.out(`Run #${end.id} of ${end.job} succeeded (exit code 0, ${duration(end)})\n`);
    });

  program
    .command("cron:runs")
    .description("a cron job's last runs, newest first")
    .addOption(appOption())
    .argument("<job>", "the job's name (yk cron lists them)")
    .addOption(jsonOption())
    .addOption(new Option("--output", "print each run's output (its last lines) after the table"))
    .action(async (job: string, opts: { app: string; json?: boolean; output?: boolean }) => {
      const runs = await ctx.api().json<CronRunView[]>("GET", apiPath("apps", opts.app, "cron", job, "runs"));
      if (opts.json) return ctx.out(renderJson(runs));
      if (runs.length === 0)
        return ctx.out(`${job} has not run yet. Run it now with: yk cron:run -a ${opts.app} ${job}\n`);
      const now = ctx.now();
      ctx.out(
        renderTable(
          ["run", "trigger", "scheduled for", "started", "status", "exit code", "took", "release"],
          runs.map((r) => [
            `#${r.id}`,
            r.trigger,
            utcMinute(r.scheduledFor),
            relativeTime(r.startedAt, now),
            r.status,
            exitText(r.exitCode),
            duration(r),
            `v${r.release}`,
          ]),
        ),
      );
      if (!opts.output) return;
      for (const r of runs) ctx.out(`\n=== run #${r.id} (${r.status}) ===\n${r.output || "(no output)\n"}`);
    });
}
