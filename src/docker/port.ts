import type { Duplex, Readable } from "node:stream";

/** The labels on everything Yadokari creates; we touch nothing without them. */
export const LABEL = {
  app: "yadokari.app",
  release: "yadokari.release",
  process: "yadokari.process",
  kind: "yadokari.kind",
  managed: "yadokari.managed",
  /** which Yadokari server created it: several may share one Docker host (a dev server and the tests) */
  instance: "yadokari.instance",
} as const;

/** A container create request, as the Engine API takes it (built by pure code, sent by the adapter). */
export interface ContainerSpec {
  name: string;
  Image: string;
  Cmd?: string[];
  Env: string[];
  Labels: Record<string, string>;
  HostConfig: {
    Init: boolean;
    NetworkMode: string;
    RestartPolicy: { Name: string; MaximumRetryCount?: number };
    LogConfig: { Type: string; Config: Record<string, string> };
    Memory?: number;
    Binds?: string[];
    SecurityOpt?: string[];
    CapDrop?: string[];
    PidsLimit?: number;
    Privileged?: false;
  };
  StopTimeout?: number;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  AttachStdin?: boolean;
}

export interface ObservedContainer {
  id: string;
  name: string;
  app: string;
  process: string;
  /** release version, from the yadokari.release label ("v3" → 3) */
  release: number;
  state: string; // running, exited, created, restarting, dead
  status: string;
  ip: string | null;
  startedAt: string | null;
  /** set by inspect() once the container has exited */
  exitCode?: number | null;
  /** all its labels */
  labels?: Record<string, string>;
  /** the image it was created from */
  image?: string;
}

export interface DockerEvent {
  action: string; // die, start, destroy, ...
  id: string;
  app: string | null;
}

export interface DockerPort {
  ping(): Promise<void>;
  ensureNetwork(name: string): Promise<void>;
  /**
   * Builds a tar context; each output line goes to onLine. The image is tagged and labelled once
   * built, so the build's own steps never carry our labels. Throws AppError build_failed, or
   * build_timeout past `timeoutSec` (the build is cancelled).
   */
  build(
    context: Readable,
    opts: { tag: string; labels: Record<string, string>; onLine: (line: string) => void; timeoutSec?: number },
  ): Promise<void>;
  imageExists(ref: string): Promise<boolean>;
  inspect(id: string): Promise<ObservedContainer | null>;
  list(filter?: { app?: string }): Promise<ObservedContainer[]>;
  /** SIGTERM, then SIGKILL after timeoutSec; ignores a container that is gone. */
  stop(id: string, timeoutSec: number): Promise<void>;
  remove(id: string): Promise<void>;
  /** The last lines of a container's output; with timestamps each line starts with Docker's RFC 3339 time and a space. */
  logsTail(id: string, lines: number, timestamps?: boolean): Promise<string>;
  followLogs(
    id: string,
    opts: { tail: number; follow: boolean; timestamps?: boolean; onLine: (line: string) => void; signal: AbortSignal },
  ): Promise<void>;
  removeAppImages(app: string): Promise<number>;
  /** Removes one image by reference; false when it was not there. */
  removeImage(ref: string): Promise<boolean>;
  /** Adds the tag repo:tag to an existing image (the same image id); returns "repo:tag". */
  tagImage(ref: string, repo: string, tag: string): Promise<string>;
  /** Waits for a container to exit; null if it still runs after timeoutMs. */
  wait(id: string, timeoutMs: number): Promise<{ exitCode: number } | null>;
  /** Subscribes to container events of our containers; returns an unsubscribe function. */
  onEvents(cb: (e: DockerEvent) => void): () => void;

  // One-off runs attach before they start: create, attach, start (as `docker run -i` does).
  /** Creates a container without starting it. */
  create(spec: ContainerSpec): Promise<{ id: string }>;
  start(id: string): Promise<void>;
  /**
   * A hijacked attach (stdin, stdout, stderr) as a raw byte stream: TTY bytes,
   * or Docker's multiplexed 8-byte-header frames without a TTY. Ending its
   * write side closes the container's stdin (StdinOnce, no TTY).
   */
  attach(id: string): Promise<Duplex>;
  /** Resizes a running container's TTY; ignores a container that is gone or stopped. */
  resize(id: string, rows: number, cols: number): Promise<void>;
  /**
   * Creates a named volume with our labels unless it exists. An existing one must have been created by
   * this server for the same app (labels[yadokari.app]), else AppError invalid_mount; `share` (an
   * admin's choice) accepts any.
   */
  ensureVolume(name: string, labels: Record<string, string>, opts?: { share?: boolean }): Promise<void>;
}
