import type { Readable } from "node:stream";

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
}

export interface DockerEvent {
  action: string; // die, start, destroy, ...
  id: string;
  app: string | null;
}

export interface DockerPort {
  ping(): Promise<void>;
  ensureNetwork(name: string): Promise<void>;
  /** Builds a tar context; each output line goes to onLine. Throws AppError build_failed. */
  build(context: Readable, opts: { tag: string; labels: Record<string, string>; onLine: (line: string) => void }): Promise<void>;
  imageExists(ref: string): Promise<boolean>;
  /** Creates and starts a container; resolves with its id and address on the network. */
  run(spec: ContainerSpec, network: string): Promise<{ id: string; ip: string | null }>;
  inspect(id: string): Promise<ObservedContainer | null>;
  list(filter?: { app?: string }): Promise<ObservedContainer[]>;
  /** SIGTERM, then SIGKILL after timeoutSec; ignores a container that is gone. */
  stop(id: string, timeoutSec: number): Promise<void>;
  remove(id: string): Promise<void>;
  logsTail(id: string, lines: number): Promise<string>;
  followLogs(id: string, opts: { tail: number; follow: boolean; onLine: (line: string) => void; signal: AbortSignal }): Promise<void>;
  removeAppImages(app: string): Promise<number>;
  /** Removes one image by reference; false when it was not there. */
  removeImage(ref: string): Promise<boolean>;
  /** Waits for a container to exit; null if it still runs after timeoutMs. */
  wait(id: string, timeoutMs: number): Promise<{ exitCode: number } | null>;
  /** Subscribes to container events of our containers; returns an unsubscribe function. */
  onEvents(cb: (e: DockerEvent) => void): () => void;
}
