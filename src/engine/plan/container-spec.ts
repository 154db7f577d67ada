import { LABEL, type ContainerSpec } from "../../docker/port.js";
import type { Release } from "../../domain/types.js";

export const DEFAULT_PORT = 5000;
export const NETWORK = "yadokari";

/**
 * The Engine API create request for one process container of a release. Pure:
 * the executor sends it. `suffix` makes the name unique (HAProxy uses the
 * container name as the server name, so it must stay [a-z0-9-]).
 */
export function processContainerSpec(release: Release, process: string, suffix: string, stopTimeoutSec: number): ContainerSpec {
  const command = release.processes[process] ?? null;
  const env = {
    ...release.config,
    PORT: String(DEFAULT_PORT),
    YADOKARI_APP: release.app,
    YADOKARI_RELEASE: `v${release.version}`,
    YADOKARI_PROCESS: process,
  };
  return {
    name: `yk-${release.app}-${process}-v${release.version}-${suffix}`,
    Image: release.image,
    // Heroku runs Procfile commands through a shell, so $PORT and the like expand.
    ...(command ? { Cmd: ["/bin/sh", "-c", command] } : {}),
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: {
      [LABEL.managed]: "true",
      [LABEL.app]: release.app,
      [LABEL.release]: `v${release.version}`,
      [LABEL.process]: process,
      [LABEL.kind]: process,
    },
    HostConfig: {
      // Docker's init forwards SIGTERM to the app, so a stop takes 0.1 s instead of the full timeout.
      Init: true,
      NetworkMode: NETWORK,
      // The reconciler replaces crashed containers; Docker restarting them would race it.
      RestartPolicy: { Name: "no" },
      // Logs that filled disks: rotate them.
      LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } },
    },
    StopTimeout: stopTimeoutSec,
  };
}
