import type { Mount, Release } from "../../domain/types.js";
import type { UnitMeta, UnitSpec } from "../../engines/engine.js";
import { DEFAULT_PIDS_LIMIT } from "../../docker/hardening.js";

/** The port every unit's app listens on ($PORT). */
export const DEFAULT_PORT = 5000;

/** The environment every unit of a release gets: its config vars, then Yadokari's own. */
export function releaseEnv(release: Release, process: string): Record<string, string> {
  return {
    ...release.config,
    PORT: String(DEFAULT_PORT),
    YADOKARI_APP: release.app,
    YADOKARI_RELEASE: `v${release.version}`,
    YADOKARI_PROCESS: process,
  };
}

/** Heroku runs Procfile and app.json command lines through a shell (inside the unit), so $PORT and the like expand. */
const shell = (line: string) => ["/bin/sh", "-c", line];

/**
 * One process unit of a release. Pure: the executor has an engine start it.
 * `suffix` makes the name unique (HAProxy uses it as the server name, so it
 * must stay [a-zA-Z0-9_.-]).
 */
export function processUnitSpec(
  release: Release,
  process: string,
  suffix: string,
  stopTimeoutSec: number,
  mounts: Mount[] = [],
  pidsLimit = DEFAULT_PIDS_LIMIT,
): UnitSpec {
  const command = release.processes[process] ?? null;
  return {
    name: `yk-${release.app}-${process}-v${release.version}-${suffix}`,
    app: release.app,
    releaseId: release.id,
    releaseVersion: release.version,
    process,
    kind: "process",
    image: release.image,
    command: command ? shell(command) : null,
    env: releaseEnv(release, process),
    mounts,
    stopTimeoutSec,
    pidsLimit,
    port: DEFAULT_PORT,
  };
}

/**
 * A one-off unit of a release: `yk run`, a cron run, the release phase.
 * `command` is either an argv array (yk run: passed as is, no shell anywhere)
 * or a command line from the Procfile or app.json (run by the unit's sh).
 */
export function oneOffUnitSpec(
  release: Release,
  kind: "run" | "cron" | "release",
  command: string[] | string,
  suffix: string,
  opts: {
    mounts?: Mount[];
    tty?: boolean;
    stdin?: boolean;
    labels?: Record<string, string>;
    meta?: UnitMeta;
    stopTimeoutSec?: number;
    /** YADOKARI_PIDS_LIMIT (EngineContext.pidsLimit) */
    pidsLimit?: number;
  } = {},
): UnitSpec {
  return {
    name: `yk-${release.app}-${kind}-v${release.version}-${suffix}`,
    app: release.app,
    releaseId: release.id,
    releaseVersion: release.version,
    process: kind,
    kind,
    image: release.image,
    command: typeof command === "string" ? shell(command) : command,
    env: releaseEnv(release, kind),
    mounts: opts.mounts ?? [],
    stopTimeoutSec: opts.stopTimeoutSec ?? 10,
    pidsLimit: opts.pidsLimit ?? DEFAULT_PIDS_LIMIT,
    port: DEFAULT_PORT,
    ...(opts.labels ? { labels: opts.labels } : {}),
    ...(opts.tty ? { tty: true } : {}),
    ...(opts.stdin ? { stdin: true } : {}),
    ...(opts.meta ? { meta: opts.meta } : {}),
  };
}
