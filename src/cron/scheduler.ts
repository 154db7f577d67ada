import type { EngineContext } from "../engine/context.js";
import type { App, CronJob, Release } from "../domain/types.js";
import type { CronRunView } from "./types.js";
import { AppError } from "../errors/app-error.js";
import { oneOffUnitSpec } from "../engine/plan/unit-spec.js";
import type { Clock } from "../lib/clock.js";
import { CronStore, type NewRun } from "./cron-store.js";
import { dueRuns, policyAction, type DueRun } from "./due.js";
import { OutputTail } from "./output-tail.js";

/** Labels on a cron run's container, besides the usual ones (kind and process "cron"): for people; the record is what counts. */
export const CRON_LABEL = { job: "yadokari.cron", run: "yadokari.cron.run" } as const;

export interface CronOptions {
  /** how often due runs are evaluated */
  tickMs: number;
  /** a run still going after this long is stopped and recorded as timed out */
  timeoutSec: number;
  /** how often a running run's container is looked at */
  pollMs: number;
  clock: Clock;
}

/** One run this process follows to its end. */
interface Watch {
  run: CronRunView;
  containerId: string | null;
  /** aborted when the server stops: the run goes on, and the next start adopts it */
  abort: AbortController;
  /** set when a replace-policy run takes over */
  replacedBy: number | null;
  /** resolves with the container id once it runs, or null if it never started */
  started: Promise<string | null>;
  setStarted: (id: string | null) => void;
  done: Promise<void>;
}

function newWatch(run: CronRunView, containerId: string | null): Watch {
  let setStarted: (id: string | null) => void = () => {};
  const started = containerId ? Promise.resolve(containerId) : new Promise<string | null>((r) => (setStarted = r));
  return {
    run,
    containerId,
    abort: new AbortController(),
    replacedBy: null,
    started,
    setStarted,
    done: Promise.resolve(),
  };
}

/**
 * Cron: every tick, for each running app with a live release, asks dueRuns()
 * what to start and applies it; each run is a one-off container of the live
 * release, followed to its end and recorded in cron_runs. The store and the
 * containers' labels are the state: a restarted server resumes from the
 * newest scheduled minute of each job and adopts the runs still going (or
 * records the end of those that finished while it was down).
 */
export class CronScheduler {
  readonly runs: CronStore;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopping = false;
  private readonly watches = new Map<number, Watch>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly opts: CronOptions,
    runs: CronStore,
  ) {
    this.runs = runs;
  }

  start(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.opts.tickMs);
    this.timer.unref();
  }

  /** Stops scheduling and stops following runs, which go on in Docker: the next start adopts them. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    for (const w of this.watches.values()) w.abort.abort();
    await Promise.allSettled([...this.watches.values()].map((w) => w.done));
  }

  /** One evaluation now, or the one under way. */
  tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    this.ticking = this.pass()
      .catch((e) => this.ctx.log(`cron: ${(e as Error).message}`))
      .finally(() => (this.ticking = null));
    return this.ticking;
  }

  /** The container of a run this process follows, once it has started; null if it never does or is not followed here. */
  async containerOf(runId: number): Promise<string | null> {
    return (await this.watches.get(runId)?.started) ?? null;
  }

  /** A job's run started now, by `yk cron:run`. Under forbid, refused while one runs. */
  runNow(app: App, jobName: string): CronRunView {
    const release = app.liveReleaseId ? this.ctx.store.getRelease(app.liveReleaseId) : null;
    if (!release)
      throw new AppError(
        "not_found",
        `${app.name} has no release yet, so no cron jobs`,
        `Deploy it first: yk deploy -a ${app.name}`,
      );
    const job = release.manifest.cron.find((j) => j.name === jobName);
    if (!job)
      throw new AppError(
        "not_found",
        `${app.name} has no cron job named ${jobName}`,
        `'yk cron -a ${app.name}' lists its jobs (app.json "cron").`,
      );
    if (this.stopping)
      throw new AppError("docker_unavailable", "the server is shutting down", "Try again once it is back.");
    // Check and record without an await in between: a tick cannot slip a run in.
    const running = this.runs.running(app.name).filter((r) => r.job === job.name);
    const action = policyAction(job, running.length > 0);
    if (action === "skip") {
      throw new AppError(
        "cron_running",
        `cron job ${job.name} of ${app.name} is still running (run #${running[0].id}, started ${running[0].startedAt}); its concurrency_policy is forbid`,
      );
    }
    return this.launch(
      release,
      job,
      { trigger: "manual", scheduledFor: null },
      action === "replace" ? running : [],
      null,
    );
  }

  private async pass(): Promise<void> {
    await this.observe();
    const now = this.opts.clock.now();
    for (const app of this.ctx.store.listApps()) {
      if (this.stopping) return;
      if (app.stopped || !app.liveReleaseId) continue;
      try {
        const release = this.ctx.store.getRelease(app.liveReleaseId);
        if (!release?.manifest.cron.length) continue;
        const running = this.runs.running(app.name);
        const decisions = dueRuns({
          jobs: release.manifest.cron,
          lastScheduled: this.runs.lastScheduled(app.name),
          running: new Set(running.map((r) => r.job)),
          now,
          since: new Date(release.createdAt),
        });
        for (const d of decisions)
          this.apply(
            release,
            release.manifest.cron.find((j) => j.name === d.job)!,
            d,
            running.filter((r) => r.job === d.job),
          );
      } catch (e) {
        this.ctx.log(`cron: ${app.name}: ${(e as Error).message}`);
      }
    }
  }

  private apply(release: Release, job: CronJob, d: DueRun, running: CronRunView[]): void {
    const base = { trigger: "schedule" as const, scheduledFor: d.scheduledFor };
    if (d.action === "skip") {
      const ids = running.map((r) => `#${r.id}`).join(", ");
      this.runs.begin({
        ...this.newRun(release, job, base),
        status: "skipped",
        output: `skipped: run ${ids} of ${job.name} is still running (concurrency_policy forbid)\n`,
      });
      this.ctx.log(
        `cron: ${release.app}/${job.name}: the run of ${d.scheduledFor.toISOString()} skipped: run ${ids} still running`,
      );
      return;
    }
    const note = d.catchUp
      ? `[yadokari] catching up the run of ${d.scheduledFor.toISOString()}, missed while the server was down`
      : null;
    this.launch(release, job, base, d.action === "replace" ? running : [], note);
  }

  private newRun(release: Release, job: CronJob, r: Pick<NewRun, "trigger" | "scheduledFor">): Omit<NewRun, "status"> {
    return { app: release.app, job: job.name, releaseVersion: release.version, ...r };
  }

  /** Records the run (synchronously), then starts its container and follows it. */
  private launch(
    release: Release,
    job: CronJob,
    r: Pick<NewRun, "trigger" | "scheduledFor">,
    replacing: CronRunView[],
    note: string | null,
  ): CronRunView {
    const run = this.runs.begin({ ...this.newRun(release, job, r), status: "running" });
    const w = newWatch(run, null);
    this.watches.set(run.id, w);
    this.ctx.log(
      `cron: ${release.app}/${job.name}: run #${run.id} starting (${r.trigger}${r.scheduledFor ? ` ${r.scheduledFor.toISOString()}` : ""})`,
    );
    w.done = this.execute(w, release, job, replacing, note).catch((e) =>
      this.ctx.log(`cron: run #${run.id}: ${(e as Error).stack}`),
    );
    return run;
  }

  private async execute(
    w: Watch,
    release: Release,
    job: CronJob,
    replacing: CronRunView[],
    note: string | null,
  ): Promise<void> {
    const tail = new OutputTail();
    if (note) tail.push(note);
    try {
      // replace: the previous runs are stopped (and recorded) before the new one starts
      if (replacing.length) {
        tail.push(
          `[yadokari] replacing run ${replacing.map((r) => `#${r.id}`).join(", ")} (concurrency_policy replace)`,
        );
        await Promise.all(replacing.map((old) => this.replace(old, w.run.id)));
      }
      if (w.abort.signal.aborted) throw new Error("the server stopped before the run started");
      const spec = oneOffUnitSpec(release, "cron", job.command, `${job.name}-${w.run.id}`, {
        mounts: this.ctx.store.mounts(release.app),
        pidsLimit: this.ctx.pidsLimit,
        labels: { [CRON_LABEL.job]: job.name, [CRON_LABEL.run]: String(w.run.id) },
        meta: { cronRun: w.run.id, job: job.name },
        stopTimeoutSec: this.ctx.stopTimeoutSec,
      });
      w.containerId = (await this.ctx.oneOffs.start(spec)).id;
      w.setStarted(w.containerId);
    } catch (e) {
      tail.push(`[yadokari] the run could not start: ${(e as Error).message}`);
      this.runs.finish(w.run.id, { status: "failed", exitCode: null, output: tail.text() });
      this.watches.delete(w.run.id);
      w.setStarted(null);
      return;
    }
    await this.follow(w, tail);
  }

  /** Stops a run for a replace-policy run, and waits until its end is recorded. */
  private async replace(old: CronRunView, byId: number): Promise<void> {
    const w = this.watches.get(old.id);
    if (w) {
      w.replacedBy = byId; // its follow loop stops the container
      await w.done;
      return;
    }
    for (const u of await this.ctx.oneOffs.list({ app: old.app, kind: "cron" })) {
      if (u.meta.cronRun === old.id) await this.ctx.units.stop(u.id, this.ctx.stopTimeoutSec);
    }
  }

  /** Follows a run's unit to its end: output into the record, the timeout, then the result; removes the unit. */
  private async follow(w: Watch, tail: OutputTail): Promise<void> {
    const id = w.containerId!;
    const flush = setInterval(() => this.runs.setOutput(w.run.id, tail.text()), 1000);
    flush.unref();
    try {
      const end = await this.ctx.oneOffs.follow(id, {
        onLine: (l) => tail.push(l),
        tail: 200,
        deadline: Date.parse(w.run.startedAt) + this.opts.timeoutSec * 1000,
        pollMs: this.opts.pollMs,
        signal: w.abort.signal,
        stopRequested: () => w.replacedBy !== null,
        onTimeout: () =>
          tail.push(`[yadokari] still running after ${this.opts.timeoutSec}s: stopped (YADOKARI_CRON_TIMEOUT_SEC)`),
        stopTimeoutSec: this.ctx.stopTimeoutSec,
      });
      if (end.kind === "detached") {
        this.runs.setOutput(w.run.id, tail.text());
        return; // the server is stopping: the run goes on, the next start adopts it
      }
      const exitCode = end.kind === "exited" ? end.exitCode : null;
      const timedOut = end.kind === "exited" && end.timedOut;
      if (end.kind === "gone") tail.push("[yadokari] the run's container was removed before its end was seen");
      const status =
        w.replacedBy !== null ? "replaced" : timedOut ? "timed_out" : exitCode === 0 ? "succeeded" : "failed";
      if (w.replacedBy !== null) tail.push(`[yadokari] stopped: replaced by run #${w.replacedBy}`);
      this.runs.finish(w.run.id, { status, exitCode, output: tail.text() });
      this.ctx.log(
        `cron: ${w.run.app}/${w.run.job}: run #${w.run.id} ${status}${exitCode !== null ? ` (exit code ${exitCode})` : ""}`,
      );
      await this.ctx.units.remove(id);
    } finally {
      clearInterval(flush);
      this.watches.delete(w.run.id);
    }
  }

  /**
   * Matches the runs the store says are going with the containers Docker has:
   * adopts those this process does not follow (a restart), records the end of
   * those whose container is gone, removes cron containers nobody runs.
   */
  private async observe(): Promise<void> {
    const unfollowed = this.runs.running().filter((r) => !this.watches.has(r.id));
    const units = (await this.ctx.oneOffs.list({ kind: "cron" })).filter((u) => typeof u.meta.cronRun === "number");
    const byRun = new Map(units.map((u) => [u.meta.cronRun as number, u]));
    for (const run of unfollowed) {
      const c = byRun.get(run.id);
      if (!c) {
        const output =
          run.output +
          "[yadokari] the run's container is gone (removed while the server was down): its end was not seen\n";
        this.runs.finish(run.id, { status: "failed", exitCode: null, output });
        this.ctx.log(`cron: ${run.app}/${run.job}: run #${run.id} lost its container`);
        continue;
      }
      const w = newWatch(run, c.id);
      this.watches.set(run.id, w);
      const tail = new OutputTail();
      tail.push(`[yadokari] the server restarted during this run; output below is the container's last lines`);
      this.ctx.log(`cron: ${run.app}/${run.job}: adopting run #${run.id} (container ${c.state})`);
      w.done = this.follow(w, tail).catch((e) => this.ctx.log(`cron: run #${run.id}: ${(e as Error).stack}`));
    }
    for (const [runId, c] of byRun) {
      if (this.watches.has(runId) || this.runs.get(runId)?.status === "running") continue;
      this.ctx.log(`cron: removing container ${c.name} of finished run #${runId}`);
      await this.ctx.units.remove(c.id);
    }
  }
}
