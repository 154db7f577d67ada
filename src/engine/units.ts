import type { Duplex } from "node:stream";
import type { Engine, FollowOptions, Unit, UnitKind, UnitMeta, UnitSpec } from "../engines/engine.js";
import type { UnitRepo } from "../store/units-repo.js";
import type { UnitRecord } from "../domain/unit.js";

/** A unit we created: what the engine reports, with the app, process and release from our record. */
export interface OwnedUnit extends Unit {
  app: string;
  process: string;
  kind: UnitKind;
  releaseId: number | null;
  releaseVersion: number;
  meta: UnitMeta;
}

const owned = (u: Unit, r: UnitRecord): OwnedUnit => ({
  ...u,
  app: r.app,
  process: r.process,
  kind: r.kind,
  releaseId: r.releaseId,
  releaseVersion: r.releaseVersion,
  meta: r.meta,
});

/** A record whose engine id never came (the server stopped between the two) is resolved by name after this. */
const PENDING_MS = 60_000;

/**
 * Ownership from records: every unit is recorded in the store when it is
 * created, and everything above the engine sees only recorded units. A
 * container that merely carries our labels (a build step of some app's
 * Dockerfile can write any label) is never listed, adopted, routed, counted
 * as a crash or removed.
 */
export class Units {
  constructor(
    readonly engine: Engine,
    private readonly repo: UnitRepo,
    private readonly now: () => number,
  ) {}

  /** Records the unit, then has the engine create it (not started). */
  async create(spec: UnitSpec): Promise<string> {
    this.repo.record({
      name: spec.name,
      app: spec.app,
      process: spec.process,
      kind: spec.kind,
      releaseId: spec.releaseId,
      releaseVersion: spec.releaseVersion,
      meta: spec.meta ?? {},
    });
    let id: string;
    try {
      id = await this.engine.create(spec);
    } catch (e) {
      this.repo.forget(spec.name);
      throw e;
    }
    this.repo.setId(spec.name, id);
    return id;
  }

  /** Creates and starts a unit; resolves with it as the engine sees it once started. */
  async start(spec: UnitSpec): Promise<OwnedUnit> {
    const id = await this.create(spec);
    try {
      await this.engine.start(id);
    } catch (e) {
      await this.remove(id).catch(() => {});
      throw e;
    }
    const u = await this.get(id);
    // It may have ended already; the health gate reports that with its exit code.
    return (
      u ?? {
        ...emptyUnit(id, spec.name),
        app: spec.app,
        process: spec.process,
        kind: spec.kind,
        releaseId: spec.releaseId,
        releaseVersion: spec.releaseVersion,
        meta: spec.meta ?? {},
      }
    );
  }

  /** Starts units in parallel; if one fails, removes those that started and rethrows. */
  async startAll(specs: UnitSpec[]): Promise<OwnedUnit[]> {
    const results = await Promise.allSettled(specs.map((s) => this.start(s)));
    const started = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) {
      await Promise.all(started.map((u) => this.remove(u.id).catch(() => {})));
      throw failed.reason;
    }
    return started;
  }

  /** Recorded units as the engine reports them; records of units that are gone are forgotten. */
  async list(filter: { app?: string; kind?: UnitKind | "one-off" } = {}): Promise<OwnedUnit[]> {
    // Records first: a record that has its id here names a unit the engine had created before it was asked.
    const records = this.repo.all({});
    const found = await this.engine.list();
    const byId = new Map(found.map((u) => [u.id, u]));
    const out: OwnedUnit[] = [];
    for (const r of records) {
      if (r.id === null) {
        await this.resolvePending(r);
        continue;
      }
      const u = byId.get(r.id);
      if (!u) {
        if (this.repo.byId(r.id)) this.repo.forgetId(r.id); // gone (removed, or lost with its engine)
        continue;
      }
      if (filter.app && r.app !== filter.app) continue;
      if (filter.kind === "one-off" ? r.kind === "process" : filter.kind && r.kind !== filter.kind) continue;
      out.push(owned(u, r));
    }
    return out;
  }

  /** A recorded unit; null when it is not ours or is gone. */
  async get(id: string): Promise<OwnedUnit | null> {
    const r = this.repo.byId(id);
    if (!r) return null;
    const u = await this.engine.inspect(id);
    return u ? owned(u, r) : null;
  }

  /** Records a unit that exists already (src/engine/legacy-units.ts). */
  adopt(r: Omit<UnitRecord, "createdAt"> & { id: string }): void {
    this.repo.adopt(r);
  }

  recordedIds(): Set<string> {
    return new Set(this.repo.all().flatMap((r) => (r.id ? [r.id] : [])));
  }

  record(id: string): UnitRecord | null {
    return this.repo.byId(id);
  }

  setMeta(id: string, meta: UnitMeta): void {
    this.repo.setMeta(id, meta);
  }

  async stop(id: string, timeoutSec: number): Promise<void> {
    if (this.repo.byId(id)) await this.engine.stop(id, timeoutSec);
  }

  /** Removes a recorded unit and forgets it. */
  async remove(id: string): Promise<void> {
    if (!this.repo.byId(id)) return;
    await this.engine.remove(id);
    this.repo.forgetId(id);
  }

  /** Stops (SIGTERM, then SIGKILL after timeoutSec), removes and forgets a recorded unit. */
  async retire(id: string, timeoutSec: number): Promise<void> {
    await this.stop(id, timeoutSec);
    await this.remove(id);
  }

  // one-off runs act on their own recorded unit
  async wait(id: string, timeoutMs: number): Promise<{ exitCode: number } | null> {
    this.mustOwn(id);
    return this.engine.wait(id, timeoutMs);
  }
  async attach(id: string): Promise<Duplex> {
    this.mustOwn(id);
    return this.engine.attach(id);
  }
  async startCreated(id: string): Promise<void> {
    this.mustOwn(id);
    await this.engine.start(id);
  }
  async resize(id: string, rows: number, cols: number): Promise<void> {
    this.mustOwn(id);
    await this.engine.resize(id, rows, cols);
  }
  async logsTail(id: string, lines: number, timestamps = false): Promise<string> {
    this.mustOwn(id);
    return this.engine.logsTail(id, lines, timestamps);
  }
  async followLogs(id: string, opts: FollowOptions): Promise<void> {
    this.mustOwn(id);
    return this.engine.followLogs(id, opts);
  }

  private mustOwn(id: string): void {
    if (!this.repo.byId(id)) throw new Error(`unit ${id} is not one we created`);
  }

  /** A record whose id never came: the unit of that name is ours if the engine has it (names are unique), else gone. */
  private async resolvePending(r: UnitRecord): Promise<void> {
    if (this.now() - Date.parse(r.createdAt) < PENDING_MS) return;
    const u = await this.engine.inspect(r.name).catch(() => undefined);
    if (u === undefined) return;
    if (u) this.repo.setId(r.name, u.id);
    else this.repo.forget(r.name);
  }
}

const emptyUnit = (id: string, name: string): Unit => ({
  id,
  name,
  state: "exited",
  status: "gone",
  exitCode: null,
  startedAt: null,
  image: "",
  endpoint: null,
  node: null,
  labels: {},
});
