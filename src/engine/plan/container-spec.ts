import { LABEL, type ContainerSpec } from "../../docker/port.js";
import type { Mount, Release } from "../../domain/types.js";
import { DEFAULT_PIDS_LIMIT, hardening } from "../../docker/hardening.js";

export const DEFAULT_PORT = 5000;
export const NETWORK = "yadokari";

/** The environment every container of a release gets: its config vars, then Yadokari's own. */
export function releaseEnv(release: Release, process: string): string[] {
  const env = {
    ...release.config,
    PORT: String(DEFAULT_PORT),
    YADOKARI_APP: release.app,
    YADOKARI_RELEASE: `v${release.version}`,
    YADOKARI_PROCESS: process,
  };
  return Object.entries(env).map(([k, v]) => `${k}=${v}`);
}

const binds = (mounts: Mount[]) => mounts.map((m) => `${m.hostPath}:${m.containerPath}`);

/** HostConfig shared by every container Yadokari starts. */
function hostConfig(mounts: Mount[], restart: "no" | "unless-stopped", pidsLimit: number): ContainerSpec["HostConfig"] {
  return {
    // Docker's init forwards SIGTERM to the app, so a stop takes 0.1 s instead of the full timeout.
    Init: true,
    NetworkMode: NETWORK,
    // Process containers: unless-stopped, so dockerd starts them again when it starts (a reboot) even
    // before the server runs; containers we stop (old releases, scale-down) stay stopped. A crash is
    // restarted by Docker after 100 ms, and the reconciler, woken by the "die" event, usually sees it
    // "restarting" first: it counts the crash and replaces the container with its own backoff (see
    // reconcile.ts). One-off containers never restart.
    RestartPolicy: { Name: restart },
    // Logs that filled disks: rotate them.
    LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } },
    ...(mounts.length ? { Binds: binds(mounts) } : {}),
    // no new privileges, fewer capabilities, a pids limit (src/docker/hardening.ts)
    ...hardening(pidsLimit),
  };
}

const labels = (release: Release, process: string, kind: string): Record<string, string> => ({
  [LABEL.managed]: "true",
  [LABEL.app]: release.app,
  [LABEL.release]: `v${release.version}`,
  [LABEL.process]: process,
  [LABEL.kind]: kind,
});

/**
 * The Engine API create request for one process container of a release. Pure:
 * the executor sends it. `suffix` makes the name unique (HAProxy uses the
 * container name as the server name, so it must stay [a-zA-Z0-9_.-]).
 */
export function processContainerSpec(
  release: Release,
  process: string,
  suffix: string,
  stopTimeoutSec: number,
  mounts: Mount[] = [],
  pidsLimit = DEFAULT_PIDS_LIMIT,
): ContainerSpec {
  const command = release.processes[process] ?? null;
  return {
    name: `yk-${release.app}-${process}-v${release.version}-${suffix}`,
    Image: release.image,
    // Heroku runs Procfile commands through a shell (inside the container), so $PORT and the like expand.
    ...(command ? { Cmd: ["/bin/sh", "-c", command] } : {}),
    Env: releaseEnv(release, process),
    Labels: labels(release, process, process),
    HostConfig: hostConfig(mounts, "unless-stopped", pidsLimit),
    StopTimeout: stopTimeoutSec,
  };
}

/**
 * A one-off container of a release: `yk run`, a cron run, the release phase.
 * `command` is either an argv array (yk run: passed as is, no shell anywhere)
 * or a command line from the Procfile or app.json (run by the container's sh).
 */
export function oneOffSpec(
  release: Release,
  kind: "run" | "cron" | "release",
  command: string[] | string,
  suffix: string,
  opts: {
    mounts?: Mount[];
    tty?: boolean;
    stdin?: boolean;
    extraLabels?: Record<string, string>;
    /** YADOKARI_PIDS_LIMIT (EngineContext.pidsLimit) */
    pidsLimit?: number;
  } = {},
): ContainerSpec {
  return {
    name: `yk-${release.app}-${kind}-v${release.version}-${suffix}`,
    Image: release.image,
    Cmd: typeof command === "string" ? ["/bin/sh", "-c", command] : command,
    Env: releaseEnv(release, kind),
    Labels: { ...labels(release, kind, kind), ...(opts.extraLabels ?? {}) },
    HostConfig: hostConfig(opts.mounts ?? [], "no", opts.pidsLimit ?? DEFAULT_PIDS_LIMIT),
    ...(opts.tty ? { Tty: true } : {}),
    ...(opts.stdin ? { OpenStdin: true, StdinOnce: true, AttachStdin: true } : {}),
  };
}
