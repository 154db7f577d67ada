import type { Duplex } from "node:stream";
import type { DockerPort, ObservedContainer } from "../../docker/port.js";
import type { Engine, EngineEvent, FollowOptions, ImageStore, Unit, UnitSpec } from "../engine.js";
import { containerBody } from "./container-body.js";

/** The one Docker network every app's containers join today (one network per app comes later). */
export const SHARED_NETWORK = "yadokari";
/** Every unit listens on $PORT, which the platform sets: the router reaches it there, at its network address. */
export const UNIT_PORT = 5000;

/** The exit code in Docker's status text ("Exited (137) 2 seconds ago", "Restarting (3) 1 second ago"), or null. */
export function exitCodeFromStatus(status: string): number | null {
  const m = /(?:Exited|Restarting) \((-?\d+)\)/.exec(status);
  return m ? Number(m[1]) : null;
}

export function unitOf(c: ObservedContainer): Unit {
  return {
    id: c.id,
    name: c.name,
    state: c.state,
    status: c.status,
    exitCode: c.exitCode ?? exitCodeFromStatus(c.status),
    startedAt: c.startedAt,
    image: c.image ?? "",
    endpoint: c.ip ? { address: c.ip, port: UNIT_PORT } : null,
    node: null,
    labels: c.labels ?? {},
  };
}

/**
 * The local engine: units are containers on one dockerd, reached by the
 * router at their address on the app's Docker network.
 */
export class LocalEngine implements Engine {
  readonly name = "local";
  readonly images: ImageStore;
  private readonly networks = new Map<string, Promise<string>>();

  constructor(private readonly docker: DockerPort) {
    this.images = {
      build: (context, opts) => docker.build(context, opts),
      exists: (ref) => docker.imageExists(ref),
      remove: (ref) => docker.removeImage(ref),
      tag: (ref, repo, tag) => docker.tagImage(ref, repo, tag),
      removeAppImages: (app) => docker.removeAppImages(app),
    };
  }

  ping(): Promise<void> {
    return this.docker.ping();
  }

  ensureAppNetwork(app: string): Promise<string> {
    void app; // one shared network for now: the per-app network is the same call
    const key = SHARED_NETWORK;
    let p = this.networks.get(key);
    if (!p) {
      p = this.docker.ensureNetwork(SHARED_NETWORK).then(() => SHARED_NETWORK);
      p.catch(() => this.networks.delete(key));
      this.networks.set(key, p);
    }
    return p;
  }

  async create(spec: UnitSpec): Promise<string> {
    const network = await this.ensureAppNetwork(spec.app);
    return (await this.docker.create(containerBody(spec, network))).id;
  }

  start(id: string): Promise<void> {
    return this.docker.start(id);
  }

  async list(): Promise<Unit[]> {
    return (await this.docker.list()).map(unitOf);
  }

  async inspect(idOrName: string): Promise<Unit | null> {
    const c = await this.docker.inspect(idOrName);
    return c ? unitOf(c) : null;
  }

  stop(id: string, timeoutSec: number): Promise<void> {
    return this.docker.stop(id, timeoutSec);
  }

  remove(id: string): Promise<void> {
    return this.docker.remove(id);
  }

  wait(id: string, timeoutMs: number): Promise<{ exitCode: number } | null> {
    return this.docker.wait(id, timeoutMs);
  }

  attach(id: string): Promise<Duplex> {
    return this.docker.attach(id);
  }

  resize(id: string, rows: number, cols: number): Promise<void> {
    return this.docker.resize(id, rows, cols);
  }

  logsTail(id: string, lines: number, timestamps = false): Promise<string> {
    return this.docker.logsTail(id, lines, timestamps);
  }

  followLogs(id: string, opts: FollowOptions): Promise<void> {
    return this.docker.followLogs(id, opts);
  }

  onEvents(cb: (e: EngineEvent) => void): () => void {
    return this.docker.onEvents((e) => cb({ action: e.action, id: e.id }));
  }

  ensureVolume(name: string, labels: Record<string, string>, opts?: { share?: boolean }): Promise<void> {
    return this.docker.ensureVolume(name, labels, opts);
  }
}
