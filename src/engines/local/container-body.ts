import { LABEL, type ContainerSpec } from "../../docker/port.js";
import type { UnitSpec } from "../engine.js";
import { hardening } from "../../docker/hardening.js";

/**
 * The Engine API create request for a unit. Pure: the local engine sends it
 * (through DockerPort.create, which runs the storage guard first).
 * Labels say what the container is (for people and `docker ps`); ownership
 * comes from the store's records, never from them.
 */
export function containerBody(spec: UnitSpec, network: string): ContainerSpec {
  return {
    name: spec.name,
    Image: spec.image,
    ...(spec.command ? { Cmd: spec.command } : {}),
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    Labels: {
      [LABEL.managed]: "true",
      [LABEL.app]: spec.app,
      [LABEL.release]: `v${spec.releaseVersion}`,
      [LABEL.process]: spec.process,
      [LABEL.kind]: spec.kind === "process" ? spec.process : spec.kind,
      ...(spec.labels ?? {}),
    },
    HostConfig: {
      // Docker's init forwards SIGTERM to the app, so a stop takes 0.1 s instead of the full timeout.
      Init: true,
      NetworkMode: network,
      // Process units: unless-stopped, so dockerd starts them again when it starts (a reboot) even before
      // the server runs; units we stop (old releases, scale-down) stay stopped. A crash is restarted by
      // Docker after 100 ms, and the reconciler, woken by the "die" event, usually sees it "restarting"
      // first: it counts the crash and replaces the unit with its own backoff (src/engine/plan/reconcile.ts
      // treats a unit that is not running as crashed). One-off units never restart.
      RestartPolicy: { Name: spec.kind === "process" ? "unless-stopped" : "no" },
      // Logs that filled disks: rotate them.
      LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } },
      ...(spec.mounts.length ? { Binds: spec.mounts.map((m) => `${m.hostPath}:${m.containerPath}`) } : {}),
      // no new privileges, fewer capabilities, a pids limit (src/docker/hardening.ts)
      ...hardening(spec.pidsLimit),
    },
    ...(spec.kind === "process" ? { StopTimeout: spec.stopTimeoutSec } : {}),
    ...(spec.tty ? { Tty: true } : {}),
    ...(spec.stdin ? { OpenStdin: true, StdinOnce: true, AttachStdin: true } : {}),
  };
}
