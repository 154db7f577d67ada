import type { Duplex } from "node:stream";
import type { EngineContext } from "../engine/context.js";
import { AppError } from "../errors/app-error.js";
import { oneOffUnitSpec } from "../engine/plan/unit-spec.js";
import { newSuffix } from "../engine/suffix.js";
import type { RunCreated, RunView } from "./contract.js";
import { isRunId } from "./validate.js";
import { planSweep, type RunContainer } from "./sweep.js";

/** Labels of a run container beside the usual ones: how it was started (for people; the record says it too). */
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
  /** client connections of attach sessions, closed by stop() */
  private readonly sockets = new Set<Duplex>();
  private timer: NodeJS.Timeout | null = null;
  private sweeping = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly settings: RunSettings,
    private readonly now: () => number = () => ctx.clock.now().getTime(),
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
    const { store, oneOffs, units } = this.ctx;
    const live = store.getApp(app)?.liveReleaseId;
    const release = live ? store.getRelease(live) : null;
    if (!release) throw new AppError("no_release", `${app} has no live release to run: deploy it first`);
    const spec = oneOffUnitSpec(release, "run", req.command, newSuffix(), {
      mounts: store.mounts(app),
      pidsLimit: this.ctx.pidsLimit,
      tty: req.tty,
      stdin: !req.detach,
      labels: { [RUN_LABEL.detach]: String(req.detach), [RUN_LABEL.tty]: String(req.tty) },
      meta: { detach: req.detach, tty: req.tty },
      stopTimeoutSec: 2,
    });
    const id = await oneOffs.create(spec);
    if (!req.detach) {
      this.pending.set(id, this.now());
      return { id, name: spec.name };
    }
    try {
      await units.startCreated(id);
    } catch (e) {
      await units.remove(id);
      throw e;
    }
    return { id, name: spec.name };
  }

  /** The run unit of this app with this id, as this server recorded it. */
  private async find(app: string, id: string) {
    if (!isRunId(id)) return null;
    const r = this.ctx.units.record(id);
    if (!r || r.app !== app || r.kind !== "run") return null;
    return this.ctx.units.get(id);
  }

  async get(app: string, id: string): Promise<RunView> {
    const c = await this.find(app, id);
    if (c) return { id, name: c.name, state: c.state, exitCode: c.state === "created" ? null : c.exitCode };
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
    await this.ctx.units.resize(id, size.rows, size.cols);
  }

  /**
   * Stops a run and removes it (`yk run` interrupted before its attach, or a
   * detached run no longer wanted). An attached run is only stopped: its
   * session's finish() records the exit code and removes it.
   */
  async remove(app: string, id: string): Promise<void> {
    const { units } = this.ctx;
    const c = await this.find(app, id);
    if (!c) throw new AppError("not_found", `${app} has no run ${id}`);
    this.pending.delete(id);
    await units.stop(id, 2);
    if (this.attached.has(id)) return;
    const info = await units.get(id);
    this.results.set(id, {
      app,
      name: c.name,
      exitCode: info?.state === "created" ? null : (info?.exitCode ?? null),
      at: this.now(),
    });
    await units.remove(id);
  }

  /** Attaches to a created run and starts it; the caller pipes the stream, then calls finish(). */
  async attach(app: string, id: string, size: { rows: number; cols: number } | null): Promise<Attached> {
    const { units } = this.ctx;
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
      const tty = c.meta.tty === true;
      const stream = await units.attach(id);
      try {
        await units.startCreated(id);
      } catch (e) {
        stream.destroy();
        throw e;
      }
      if (tty && size) await units.resize(id, size.rows, size.cols).catch(() => {});
      return { name: c.name, tty, stream };
    } catch (e) {
      const exitCode = (e as AppError).details?.exitCode;
      this.results.set(id, {
        app,
        name: c.name,
        exitCode: typeof exitCode === "number" ? exitCode : null,
        at: this.now(),
      });
      await units.remove(id);
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
    const { units } = this.ctx;
    try {
      if (clientGone) await units.stop(id, 2);
      let exit = await units.wait(id, 10_000);
      if (!exit) {
        // the output ended but the process did not: it closed its stdout; nobody reads it any more
        await units.stop(id, 2);
        exit = await units.wait(id, 10_000);
      }
      this.results.set(id, { app, name, exitCode: exit?.exitCode ?? null, at: this.now() });
      return exit?.exitCode ?? null;
    } finally {
      await units.remove(id).catch((e) => this.ctx.log(`run ${name}: could not remove: ${(e as Error).message}`));
      this.attached.delete(id);
    }
  }

  /**
   * Removes one-off units nobody will read: runs (see planSweep), and release
   * phases whose deploy ended with the server that ran it. Forgets old exit codes.
   */
  async sweep(): Promise<string[]> {
    if (this.sweeping) return [];
    this.sweeping = true;
    try {
      const { oneOffs, units } = this.ctx;
      const now = this.now();
      for (const [id, r] of this.results) if (now - r.at > this.settings.resultTtlMs) this.results.delete(id);
      const listed = await oneOffs.list({ kind: "run" });
      const active = new Set([...this.attached, ...this.pending.keys()]);
      const runs: RunContainer[] = listed.map((u) => ({
        id: u.id,
        state: u.state,
        detached: typeof u.meta.detach === "boolean" ? u.meta.detach : null,
        createdAtMs: u.startedAt ? Date.parse(u.startedAt) : 0,
      }));
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
          await units.retire(id, 2);
          this.pending.delete(id);
        }),
      );
      const present = new Set(listed.map((c) => c.id).filter((id) => !plan.remove.includes(id)));
      for (const id of this.exitedSince.keys()) if (!present.has(id)) this.exitedSince.delete(id);
      for (const [id, at] of this.pending) if (now - at > this.settings.unattachedMs) this.pending.delete(id);
      const phases = await oneOffs.sweepReleasePhases();
      return [...plan.remove, ...phases];
    } finally {
      this.sweeping = false;
    }
  }
}
