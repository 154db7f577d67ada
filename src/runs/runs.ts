import type { Duplex } from "node:stream";
import type { EngineContext } from "../engine/context.js";
import { AppError } from "../errors/app-error.js";
import { oneOffSpec } from "../engine/plan/container-spec.js";
import { newSuffix } from "../engine/execute/containers.js";
import type { RunCreated, RunView } from "./contract.js";
import { isRunId } from "./validate.js";
import { planSweep, type RunContainer } from "./sweep.js";

/** Labels of a run container beside the usual ones: how it was started. */
export const RUN_LABEL = { detach: "yadokari.run.detach", tty: "yadokari.run.tty" } as const;

export interface RunSettings {
  /** how long an exited detached run stays, so `yk logs` shows it */
  graceMs: number;
  /** how often run containers are swept */
  sweepMs: number;
  /** a run never attached to is removed after this */
  unattachedMs: number;
  /** how long the exit code of a removed attached run is kept for GET */
  resultTtlMs: number;
}

export interface Attached {
  name: string;
  tty: boolean;
  /** the hijacked Docker stream */
  stream: Duplex;
}

interface Result {
  app: string;
  name: string;
  exitCode: number | null;
  at: number;
}

/**
 * One-off runs (`yk run`): a container of the live release with the app's
 * config and mounts, its argv passed to Docker as is. An attached run is
 * created, attached, then started, so no output is lost; when it exits its
 * exit code is recorded and the container removed. Detached runs start at
 * once and log to Docker's log. A sweep removes whatever a client left.
 */
export class Runs {
  /** created, waiting for their attach: id → created at */
  private readonly pending = new Map<string, number>();
  private readonly attached = new Set<string>();
  private readonly results = new Map<string, Result>();
  private readonly exitedSince = new Map<string, number>();
  private readonly detachedOf = new Map<string, boolean | null>();
  /** client connections of attach sessions, closed by stop() */
  private readonly sockets = new Set<Duplex>();
  private timer: NodeJS.Timeout | null = null;
  private sweeping = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly settings: RunSettings,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.timer = setInterval(
      () => void this.sweep().catch((e) => this.ctx.log(`run sweep: ${(e as Error).message}`)),
      this.settings.sweepMs,
    );
    this.timer.unref();
  }

  /** Stops the sweep and drops attached clients (their runs are then stopped and removed). For server shutdown. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const s of this.sockets) s.destroy();
  }

  /** Registers an attach connection; returns the unregister. */
  track(socket: Duplex): () => void {
    this.sockets.add(socket);
    return () => void this.sockets.delete(socket);
  }

  async create(app: string, req: { command: string[]; tty: boolean; detach: boolean }): Promise<RunCreated> {
    const { store, docker } = this.ctx;
    const live = store.getApp(app)?.liveReleaseId;
    const release = live ? store.getRelease(live) : null;
    if (!release) throw new AppError("no_release", `${app} has no live release to run: deploy it first`);
    const spec = oneOffSpec(release, "run", req.command, newSuffix(), {
      mounts: store.mounts(app),
      pidsLimit: this.ctx.pidsLimit,
      tty: req.tty,
      stdin: !req.detach,
      extraLabels: { [RUN_LABEL.detach]: String(req.detach), [RUN_LABEL.tty]: String(req.tty) },
    });
    const { id } = await docker.create(spec);
    if (!req.detach) {
      this.pending.set(id, this.now());
      return { id, name: spec.name };
    }
    try {
      await docker.start(id);
    } catch (e) {
      await docker.remove(id);
      throw e;
    }
    return { id, name: spec.name };
  }

  /** The run container of this app with this id, as this server's Docker lists it. */
  private async find(app: string, id: string) {
    if (!isRunId(id)) return null;
    return (await this.ctx.docker.list({ app })).find((c) => c.id === id && c.process === "run") ?? null;
  }

  async get(app: string, id: string): Promise<RunView> {
    const c = await this.find(app, id);
    if (c) {
      const info = await this.ctx.docker.inspect(id);
      if (info)
        return {
          id,
          name: c.name,
          state: info.state,
          exitCode: info.state === "created" ? null : (info.exitCode ?? null),
        };
    }
    const r = this.results.get(id);
    if (r && r.app === app) return { id, name: r.name, state: "exited", exitCode: r.exitCode };
    throw new AppError(
      "not_found",
      `${app} has no run ${id}`,
      `Runs are kept for a while after they end; start one with 'yk run -a ${app} -- COMMAND'.`,
    );
  }

  async resize(app: string, id: string, size: { rows: number; cols: number }): Promise<void> {
    if (!(await this.find(app, id))) throw new AppError("not_found", `${app} has no run ${id}`);
    await this.ctx.docker.resize(id, size.rows, size.cols);
  }

  /**
   * Stops a run and removes it (`yk run` interrupted before its attach, or a
   * detached run no longer wanted). An attached run is only stopped: its
   * session's finish() records the exit code and removes it.
   */
  async remove(app: string, id: string): Promise<void> {
    const { docker } = this.ctx;
    const c = await this.find(app, id);
    if (!c) throw new AppError("not_found", `${app} has no run ${id}`);
    this.pending.delete(id);
    await docker.stop(id, 2);
    if (this.attached.has(id)) return;
    const info = await docker.inspect(id);
    this.results.set(id, {
      app,
      name: c.name,
      exitCode: info?.state === "created" ? null : (info?.exitCode ?? null),
      at: this.now(),
    });
    await docker.remove(id);
  }

  /** Attaches to a created run and starts it; the caller pipes the stream, then calls finish(). */
  async attach(app: string, id: string, size: { rows: number; cols: number } | null): Promise<Attached> {
    const { docker } = this.ctx;
    const c = await this.find(app, id);
    if (!c) throw new AppError("not_found", `${app} has no run ${id}`);
    if (c.state !== "created" || this.attached.has(id))
      throw new AppError(
        "run_started",
        `run ${c.name} has already started (${c.state}); a run is attached once, before it starts`,
      );
    this.attached.add(id);
    this.pending.delete(id);
    try {
      const tty = (await docker.labels(id))?.[RUN_LABEL.tty] === "true";
      const stream = await docker.attach(id);
      try {
        await docker.start(id);
      } catch (e) {
        stream.destroy();
        throw e;
      }
      if (tty && size) await docker.resize(id, size.rows, size.cols).catch(() => {});
      return { name: c.name, tty, stream };
    } catch (e) {
      const exitCode = (e as AppError).details?.exitCode;
      this.results.set(id, {
        app,
        name: c.name,
        exitCode: typeof exitCode === "number" ? exitCode : null,
        at: this.now(),
      });
      await docker.remove(id);
      this.attached.delete(id);
      throw e;
    }
  }

  /**
   * After the stream ended: stops the container if its client went away,
   * records the exit code, removes the container. Resolves once GET can
   * answer with the exit code.
   */
  async finish(app: string, id: string, name: string, clientGone: boolean): Promise<number | null> {
    const { docker } = this.ctx;
    try {
      if (clientGone) await docker.stop(id, 2);
      let exit = await docker.wait(id, 10_000);
      if (!exit) {
        // the output ended but the process did not: it closed its stdout; nobody reads it any more
        await docker.stop(id, 2);
        exit = await docker.wait(id, 10_000);
      }
      this.results.set(id, { app, name, exitCode: exit?.exitCode ?? null, at: this.now() });
      return exit?.exitCode ?? null;
    } finally {
      await docker.remove(id).catch((e) => this.ctx.log(`run ${name}: could not remove: ${(e as Error).message}`));
      this.attached.delete(id);
    }
  }

  /** Removes run containers nobody will read (see planSweep); forgets old exit codes. */
  async sweep(): Promise<string[]> {
    if (this.sweeping) return [];
    this.sweeping = true;
    try {
      const { docker } = this.ctx;
      const now = this.now();
      for (const [id, r] of this.results) if (now - r.at > this.settings.resultTtlMs) this.results.delete(id);
      const listed = (await docker.list()).filter((c) => c.process === "run");
      const active = new Set([...this.attached, ...this.pending.keys()]);
      const runs: RunContainer[] = [];
      for (const c of listed) {
        if (!this.detachedOf.has(c.id) && !active.has(c.id)) {
          const labels = await docker.labels(c.id);
          this.detachedOf.set(c.id, labels ? labels[RUN_LABEL.detach] === "true" : null);
        }
        runs.push({
          id: c.id,
          state: c.state,
          detached: this.detachedOf.get(c.id) ?? null,
          createdAtMs: c.startedAt ? Date.parse(c.startedAt) : 0,
        });
      }
      const plan = planSweep({
        runs,
        active,
        exitedSince: this.exitedSince,
        now,
        graceMs: this.settings.graceMs,
        unattachedMs: this.settings.unattachedMs,
      });
      for (const id of plan.firstExited) this.exitedSince.set(id, now);
      await Promise.all(
        plan.remove.map(async (id) => {
          await docker.stop(id, 2);
          await docker.remove(id);
          this.pending.delete(id);
        }),
      );
      const present = new Set(listed.map((c) => c.id).filter((id) => !plan.remove.includes(id)));
      for (const m of [this.exitedSince, this.detachedOf])
        for (const id of m.keys()) if (!present.has(id)) m.delete(id);
      for (const [id, at] of this.pending) if (now - at > this.settings.unattachedMs) this.pending.delete(id);
      return plan.remove;
    } finally {
      this.sweeping = false;
    }
  }
}
