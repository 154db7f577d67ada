import type { Duplex, Readable } from "node:stream";
import type { Mount } from "../domain/types.js";
import type { UnitKind, UnitMeta } from "../domain/unit.js";

export type { UnitKind, UnitMeta } from "../domain/unit.js";

/**
 * The seam between the platform and what runs its units. Everything above it
 * (lifecycle, plans, executor, reconciler, one-off runs, cron) talks to one
 * engine through this interface: the local engine (one dockerd, containers)
 * today, a Swarm engine (services and tasks across nodes) next. An engine
 * says where the router reaches each unit; it never decides who owns what:
 * ownership comes from the store's records of what was created (src/engine/units.ts).
 */

/** What to run, engine-neutral and built by pure code; each engine turns it into its own request. */
export interface UnitSpec {
  /** unique; [a-zA-Z0-9_.-] (the router's server name for web units) */
  name: string;
  app: string;
  releaseId: number;
  releaseVersion: number;
  /** the process type (web, worker…), or run / cron / release for one-offs */
  process: string;
  kind: UnitKind;
  image: string;
  /** argv passed as is; null runs the image's own command */
  command: string[] | null;
  env: Record<string, string>;
  mounts: Mount[];
  /** SIGTERM, then SIGKILL after this many seconds */
  stopTimeoutSec: number;
  /** the most processes the unit may run (YADOKARI_PIDS_LIMIT), so a fork bomb stops at its own unit */
  pidsLimit: number;
  /** the port the app listens on inside the unit ($PORT) */
  port: number;
  /** informational labels beside the engine's own (a cron job's name…); never trusted for ownership */
  labels?: Record<string, string>;
  tty?: boolean;
  /** stdin stays open for an attach (yk run without --detach) */
  stdin?: boolean;
  /** what the unit's owner keeps with its record (a cron run's id, a run's detach flag) */
  meta?: UnitMeta;
}

/** Where the router reaches a unit. */
export interface Endpoint {
  address: string;
  port: number;
}

/** A unit as its engine reports it. */
export interface Unit {
  id: string;
  name: string;
  /** created, running, restarting, paused, exited, dead */
  state: string;
  /** the engine's own words ("Up 3 minutes") */
  status: string;
  exitCode: number | null;
  startedAt: string | null;
  image: string;
  /** null while it has none (not running, no address yet) */
  endpoint: Endpoint | null;
  /** the node it runs on; null on the local engine */
  node: string | null;
  /** as found on the unit: information only */
  labels: Record<string, string>;
}

export interface EngineEvent {
  /** die, start, destroy, … */
  action: string;
  id: string;
}

export interface FollowOptions {
  tail: number;
  follow: boolean;
  timestamps?: boolean;
  onLine: (line: string) => void;
  signal: AbortSignal;
}

/** Images: built from a tar context, tagged, removed. */
export interface ImageStore {
  /**
   * Each output line goes to onLine. The image is tagged and labelled once built, so the build's own
   * steps never carry our labels. Throws AppError build_failed, or build_timeout past `timeoutSec`.
   */
  build(
    context: Readable,
    opts: { tag: string; labels: Record<string, string>; onLine: (line: string) => void; timeoutSec?: number },
  ): Promise<void>;
  exists(ref: string): Promise<boolean>;
  /** false when it was not there */
  remove(ref: string): Promise<boolean>;
  /** Adds repo:tag to an existing image; returns "repo:tag". */
  tag(ref: string, repo: string, tag: string): Promise<string>;
  /** Removes the images of an app (its builds and what was promoted to it); returns how many. */
  removeAppImages(app: string): Promise<number>;
}

export interface Engine {
  readonly name: string;
  ping(): Promise<void>;
  /** The network an app's units join (today one shared network; one per app later). */
  ensureAppNetwork(app: string): Promise<string>;
  /** Creates a unit without starting it; resolves with its id. */
  create(spec: UnitSpec): Promise<string>;
  /** Starts a created unit. Throws AppError run_failed when the engine cannot start it. */
  start(id: string): Promise<void>;
  /** The units this engine runs for this server, whoever claims them. */
  list(): Promise<Unit[]>;
  /** One unit by id or name; null when it is gone. */
  inspect(idOrName: string): Promise<Unit | null>;
  /** SIGTERM, then SIGKILL after timeoutSec; ignores a unit that is gone. */
  stop(id: string, timeoutSec: number): Promise<void>;
  /** Removes a unit (stopping it); ignores one that is gone. */
  remove(id: string): Promise<void>;
  /** Waits for a unit to end; null if it still runs after timeoutMs. */
  wait(id: string, timeoutMs: number): Promise<{ exitCode: number } | null>;
  /** A raw attach (stdin, stdout, stderr) of a created unit, before it starts. */
  attach(id: string): Promise<Duplex>;
  resize(id: string, rows: number, cols: number): Promise<void>;
  /** The last lines of a unit's output; with timestamps each line starts with an RFC 3339 time and a space. */
  logsTail(id: string, lines: number, timestamps?: boolean): Promise<string>;
  followLogs(id: string, opts: FollowOptions): Promise<void>;
  /** Subscribes to unit events; returns an unsubscribe function. */
  onEvents(cb: (e: EngineEvent) => void): () => void;
  /**
   * Creates a named volume with our labels unless it exists. An existing one must have been created by
   * this server for the same app, else AppError invalid_mount; `share` (an admin's choice) accepts any.
   */
  ensureVolume(name: string, labels: Record<string, string>, opts?: { share?: boolean }): Promise<void>;
  readonly images: ImageStore;
}
