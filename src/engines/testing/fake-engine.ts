import { PassThrough, type Duplex } from "node:stream";
import type { Engine, EngineEvent, FollowOptions, ImageStore, Unit, UnitSpec } from "../engine.js";

export interface FakeUnit {
  id: string;
  name: string;
  /** null for a unit we did not create (one a Dockerfile's build step could make, labels and all) */
  spec: UnitSpec | null;
  image: string;
  labels: Record<string, string>;
  state: string;
  exitCode: number | null;
  lines: string[];
  address: string | null;
  port: number;
  createdAt: string;
}

/**
 * An in-memory engine for unit tests: units start at once and run until the
 * test ends them (exit, crash) or they are stopped. What a started unit does
 * is up to `behave`. Every call is counted, and every unit it ever ran is
 * kept in `history`.
 */
export class FakeEngine implements Engine {
  readonly name = "fake";
  readonly units = new Map<string, FakeUnit>();
  readonly stopped: string[] = [];
  readonly removed: string[] = [];
  readonly started: string[] = [];
  readonly imageRefs = new Set<string>();
  private n = 0;
  /** a unit's id from a counter (u1, u2…; a subclass may give the engine's real id shape) */
  protected idOf(n: number, foreign: boolean): string {
    return `${foreign ? "x" : "u"}${n}`;
  }
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  /** what a started unit prints, and whether it exits at once (with that code) */
  behave: (spec: UnitSpec) => { lines?: string[]; exitCode?: number } = () => ({});
  /** makes create fail for some specs */
  failCreate: (spec: UnitSpec) => Error | null = () => null;
  /** called after every change of a unit's life (tests check invariants there) */
  onChange: () => void = () => {};

  readonly images: ImageStore = {
    build: async (_ctx, opts) => void this.imageRefs.add(opts.tag),
    exists: async (ref) => this.imageRefs.has(ref),
    remove: async (ref) => this.imageRefs.delete(ref),
    tag: async (_ref, repo, tag) => {
      this.imageRefs.add(`${repo}:${tag}`);
      return `${repo}:${tag}`;
    },
    removeAppImages: async () => 0,
  };

  async ping(): Promise<void> {}

  async ensureAppNetwork(): Promise<string> {
    return "fake";
  }

  async create(spec: UnitSpec): Promise<string> {
    const err = this.failCreate(spec);
    if (err) throw err;
    if ([...this.units.values()].some((u) => u.name === spec.name)) throw new Error(`name ${spec.name} in use`);
    const id = this.idOf(++this.n, false);
    this.units.set(id, {
      id,
      name: spec.name,
      spec,
      image: spec.image,
      labels: { "yadokari.app": spec.app, "yadokari.process": spec.process, ...(spec.labels ?? {}) },
      state: "created",
      exitCode: null,
      lines: [],
      address: null,
      port: spec.port,
      createdAt: new Date(0).toISOString(),
    });
    return id;
  }

  async start(id: string): Promise<void> {
    const u = this.units.get(id);
    if (!u) throw new Error(`no unit ${id}`);
    const b = u.spec ? this.behave(u.spec) : {};
    u.lines = b.lines ?? [];
    u.state = b.exitCode === undefined ? "running" : "exited";
    u.exitCode = b.exitCode ?? null;
    u.address = `10.0.0.${this.n % 250}`;
    this.started.push(id);
    this.emit("start", id);
    this.onChange();
  }

  /** A running unit nobody recorded (labels claim any app). */
  addForeign(f: { name: string; labels: Record<string, string>; image?: string; state?: string }): string {
    const id = this.idOf(++this.n, true);
    this.units.set(id, {
      id,
      name: f.name,
      spec: null,
      image: f.image ?? "someone/else",
      labels: f.labels,
      state: f.state ?? "running",
      exitCode: f.state === "exited" ? 1 : null,
      lines: [],
      address: `10.0.9.${this.n % 250}`,
      port: 5000,
      createdAt: new Date(0).toISOString(),
    });
    return id;
  }

  private view(u: FakeUnit): Unit {
    return {
      id: u.id,
      name: u.name,
      state: u.state,
      status: u.state === "running" ? "Up" : `Exited (${u.exitCode ?? 0})`,
      exitCode: u.state === "running" || u.state === "created" ? null : u.exitCode,
      startedAt: u.createdAt,
      image: u.image,
      endpoint: u.state === "running" && u.address ? { address: u.address, port: u.port } : null,
      node: null,
      labels: u.labels,
    };
  }

  async list(): Promise<Unit[]> {
    return [...this.units.values()].map((u) => this.view(u));
  }

  async inspect(idOrName: string): Promise<Unit | null> {
    const u = this.units.get(idOrName) ?? [...this.units.values()].find((x) => x.name === idOrName);
    return u ? this.view(u) : null;
  }

  async stop(id: string): Promise<void> {
    this.stopped.push(id);
    this.exit(id, 143);
  }

  async remove(id: string): Promise<void> {
    if (!this.units.delete(id)) return;
    this.removed.push(id);
    this.emit("destroy", id);
    this.onChange();
  }

  /** The unit ends with this code (a crash, or a one-off's end). */
  exit(id: string, code: number): void {
    const u = this.units.get(id);
    if (!u || u.state === "exited") return;
    u.state = "exited";
    u.exitCode = code;
    this.emit("die", id);
    this.onChange();
  }

  async wait(id: string, timeoutMs: number): Promise<{ exitCode: number } | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const u = this.units.get(id);
      if (!u) throw new Error(`no unit ${id}`);
      if (u.state === "exited") return { exitCode: u.exitCode ?? 0 };
      if (Date.now() >= deadline) return null;
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  async attach(): Promise<Duplex> {
    return new PassThrough();
  }

  async resize(): Promise<void> {}

  async logsTail(id: string, lines: number): Promise<string> {
    return (this.units.get(id)?.lines ?? []).slice(-lines).join("\n");
  }

  async followLogs(id: string, opts: FollowOptions): Promise<void> {
    for (const l of this.units.get(id)?.lines ?? []) opts.onLine(l);
    if (!opts.follow) return;
    // the stream ends with the unit (or when aborted)
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (opts.signal.aborted || this.units.get(id)?.state !== "running") {
          clearInterval(t);
          resolve();
        }
      }, 2);
    });
  }

  onEvents(cb: (e: EngineEvent) => void): () => void {
    this.listeners.add(cb);
    return () => void this.listeners.delete(cb);
  }

  private emit(action: string, id: string): void {
    for (const l of this.listeners) l({ action, id });
  }

  async ensureVolume(): Promise<void> {}

  /** Units of an app in a state (default: running), by what we asked the engine for. */
  running(app: string, process = "web"): FakeUnit[] {
    return [...this.units.values()].filter(
      (u) => u.spec?.app === app && u.spec.process === process && u.state === "running",
    );
  }
}
