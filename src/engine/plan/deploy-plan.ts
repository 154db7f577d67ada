import type { ContainerSpec, ObservedContainer } from "../../docker/port.js";
import type { DeploySettings, Formation, Mount, Release, RoutedServer } from "../../domain/types.js";
import type { HealthCheck } from "../../manifest/app-json.js";
import { oneOffSpec, processContainerSpec } from "./container-spec.js";

/**
 * A deploy as data. The executor runs the steps in order and records each.
 *   release-phase → the release command runs once, before any new container
 *   start → gate → route → retire, per web batch of at most maxSurge containers:
 *     new containers pass their health check, take traffic, and only then the
 *     same number of old ones drain and stop — so the router never has fewer
 *     than the formation's healthy web containers, and no more than
 *     formation + maxSurge exist at once
 *   commit → the store names the new release live (after the first batch passes)
 *   other process types: start new, then stop old (SIGTERM, stop timeout)
 * The last retire steps run off the path that decides when the deploy is live.
 */
export type Step =
  | { kind: "release-phase"; spec: ContainerSpec; command: string; timeoutSec: number }
  | { kind: "start"; batch: string; process: string; specs: ContainerSpec[] }
  | { kind: "gate"; batch: string; healthcheck: HealthCheck }
  | { kind: "commit"; releaseId: number }
  | { kind: "route"; batch: string; drain: RoutedServer[] }
  | { kind: "retire"; servers: RoutedServer[]; containers: ObservedContainer[]; wait: boolean }
  | { kind: "pause"; seconds: number }
  /** canary: the new batch gets `percent` of the web requests, held and analysed (src/canary/) */
  | { kind: "canary"; batch: string; index: number; percent: number }
  /** blue-green: the old web set stays running at weight 0 for a switch back */
  | { kind: "standby"; servers: RoutedServer[]; containers: ObservedContainer[] };

/** Containers that are not part of the formation: one-off runs, cron runs, a release phase. */
export const ONE_OFF_PROCESSES = new Set(["run", "cron", "release"]);

export interface DeployInput {
  release: Release;
  formation: Formation;
  settings: DeploySettings;
  /** the app's containers as Docker reports them */
  observed: ObservedContainer[];
  /** the app's servers in the router, as the store records them */
  routed: RoutedServer[];
  /** a unique suffix per new container name (passed in to keep this pure) */
  suffix: () => string;
  mounts: Mount[];
  stopTimeoutSec: number;
  /** every container's pids limit (YADOKARI_PIDS_LIMIT) */
  pidsLimit: number;
  releasePhaseTimeoutSec: number;
  /** replace only these process types (ps:restart TYPE); default: all, with the release phase */
  only?: string[];
  /**
   * A canary instead of rolling web batches (only when a web release serves
   * already: a first deploy has nothing to compare with). `resume` continues
   * an interrupted one from a recorded step, with its new containers running.
   */
  canary?: { steps: number[]; resume?: { index: number; started: number } };
  /** Blue-green instead of rolling batches (again only when a web release serves already). */
  blueGreen?: boolean;
}

/** The batch name of a canary's new web containers. */
export const CANARY_BATCH = "canary";

/** maxSurge as a count: a number, a percentage of the web replicas rounded up, or by default 25% (at least 1). */
export function resolveSurge(maxSurge: DeploySettings["maxSurge"], replicas: number): number {
  if (replicas <= 0) return 1;
  if (typeof maxSurge === "number") return Math.max(1, Math.min(maxSurge, replicas));
  const pct = typeof maxSurge === "string" ? Number(maxSurge.replace("%", "")) : 25;
  return Math.max(1, Math.min(replicas, Math.ceil((replicas * pct) / 100)));
}

export function planDeploy(input: DeployInput): Step[] {
  const { release, formation } = input;
  const replace = (type: string) => !input.only || input.only.includes(type);
  const steps: Step[] = [];
  const formationOf = (type: string) =>
    release.processes[type] !== undefined ? (formation[type] ?? (type === "web" ? 1 : 0)) : 0;
  const processContainers = input.observed.filter((c) => !ONE_OFF_PROCESSES.has(c.process));

  if (release.manifest.releaseCommand && !input.only && !input.canary?.resume) {
    steps.push({
      kind: "release-phase",
      command: release.manifest.releaseCommand,
      spec: oneOffSpec(release, "release", release.manifest.releaseCommand, input.suffix(), {
        mounts: input.mounts,
        pidsLimit: input.pidsLimit,
      }),
      timeoutSec: input.releasePhaseTimeoutSec,
    });
  }

  // web, in batches
  let committed = false;
  const commit = () => {
    if (!committed) steps.push({ kind: "commit", releaseId: release.id });
    committed = true;
  };
  const retiredIds = new Set<string>();
  const canaryOld = input.routed.filter((s) => s.process === "web" && s.releaseId !== release.id);
  // a resumed canary's own containers are running and routed: they stay
  if (input.canary?.resume) for (const s of input.routed) if (s.releaseId === release.id) retiredIds.add(s.containerId);
  if (replace("web") && input.canary && canaryOld.length > 0 && formationOf("web") > 0) {
    planCanaryWeb(input, formationOf("web"), canaryOld, steps, commit, retiredIds, processContainers);
  } else if (replace("web") && input.blueGreen && !input.only && canaryOld.length > 0 && formationOf("web") > 0) {
    planBlueGreenWeb(input, formationOf("web"), canaryOld, steps, commit, retiredIds, processContainers);
  } else if (replace("web")) {
    const replicas = formationOf("web");
    const surge = resolveSurge(input.settings.maxSurge, replicas);
    const old = input.routed.filter((s) => s.process === "web");
    const containerOf = (s: RoutedServer) => processContainers.filter((c) => c.id === s.containerId);
    let started = 0;
    let drained = 0;
    for (let b = 0; started < replicas; b++) {
      const k = Math.min(surge, replicas - started);
      const last = started + k >= replicas;
      const batch = `web-${b + 1}`;
      const specs = Array.from({ length: k }, () =>
        processContainerSpec(release, "web", input.suffix(), input.stopTimeoutSec, input.mounts, input.pidsLimit),
      );
      steps.push(
        { kind: "start", batch, process: "web", specs },
        { kind: "gate", batch, healthcheck: release.healthcheck },
      );
      commit();
      const drain = last ? old.slice(drained) : old.slice(drained, drained + k);
      steps.push({ kind: "route", batch, drain });
      const containers = drain.flatMap(containerOf);
      containers.forEach((c) => retiredIds.add(c.id));
      if (drain.length) steps.push({ kind: "retire", servers: drain, containers, wait: !last });
      if (!last && (input.settings.pauseSec ?? 0) > 0) steps.push({ kind: "pause", seconds: input.settings.pauseSec! });
      started += k;
      drained += drain.length;
    }
    if (replicas === 0 && old.length) {
      commit();
      steps.push({ kind: "route", batch: "web-0", drain: old });
      const containers = old.flatMap(containerOf);
      containers.forEach((c) => retiredIds.add(c.id));
      steps.push({ kind: "retire", servers: old, containers, wait: false });
    }
  }
  commit();

  // other process types: start the new set, then stop the old one
  const types = [...new Set([...Object.keys(release.processes), ...processContainers.map((c) => c.process)])]
    .filter((t) => t !== "web" && replace(t))
    .sort();
  for (const type of types) {
    const count = formationOf(type);
    const old = processContainers.filter((c) => c.process === type);
    if (count > 0) {
      steps.push({
        kind: "start",
        batch: type,
        process: type,
        specs: Array.from({ length: count }, () =>
          processContainerSpec(release, type, input.suffix(), input.stopTimeoutSec, input.mounts, input.pidsLimit),
        ),
      });
    }
    if (old.length) {
      old.forEach((c) => retiredIds.add(c.id));
      steps.push({ kind: "retire", servers: [], containers: old, wait: false });
    }
  }

  // anything else of a replaced type left over (exited containers, unrouted web ones)
  const leftovers = processContainers.filter((c) => !retiredIds.has(c.id) && replace(c.process));
  if (leftovers.length) steps.push({ kind: "retire", servers: [], containers: leftovers, wait: false });
  return steps;
}

/**
 * Canary web steps: start as many new containers as the surge allows (at
 * most the formation), gate them, then one `canary` step per percentage,
 * each moving the weights and holding; the last is 100 %. Then the new
 * release goes live, and the formation is completed in surge-sized batches,
 * each after the same number of old (weight 0) containers retired.
 */
function planCanaryWeb(
  input: DeployInput,
  replicas: number,
  old: RoutedServer[],
  steps: Step[],
  commit: () => void,
  retiredIds: Set<string>,
  processContainers: ObservedContainer[],
): void {
  const { release } = input;
  const canary = input.canary!;
  const k = canary.resume ? canary.resume.started : resolveSurge(input.settings.maxSurge, replicas);
  if (!canary.resume) {
    const specs = Array.from({ length: k }, () =>
      processContainerSpec(release, "web", input.suffix(), input.stopTimeoutSec, input.mounts, input.pidsLimit),
    );
    steps.push(
      { kind: "start", batch: CANARY_BATCH, process: "web", specs },
      { kind: "gate", batch: CANARY_BATCH, healthcheck: release.healthcheck },
    );
  }
  canary.steps.forEach((percent, index) => {
    if (index >= (canary.resume?.index ?? 0)) steps.push({ kind: "canary", batch: CANARY_BATCH, index, percent });
  });
  commit();
  const containerOf = (s: RoutedServer) => processContainers.filter((c) => c.id === s.containerId);
  const retireOld = (servers: RoutedServer[], wait: boolean) => {
    const containers = servers.flatMap(containerOf);
    containers.forEach((c) => retiredIds.add(c.id));
    if (servers.length) steps.push({ kind: "retire", servers, containers, wait });
  };
  let started = k;
  let drained = 0;
  for (let b = 2; started < replicas; b++) {
    const n = Math.min(k, replicas - started);
    retireOld(old.slice(drained, drained + n), true);
    drained += n;
    const batch = `web-${b}`;
    const specs = Array.from({ length: n }, () =>
      processContainerSpec(release, "web", input.suffix(), input.stopTimeoutSec, input.mounts, input.pidsLimit),
    );
    steps.push(
      { kind: "start", batch, process: "web", specs },
      { kind: "gate", batch, healthcheck: release.healthcheck },
      { kind: "route", batch, drain: [] },
    );
    started += n;
  }
  retireOld(old.slice(drained), false);
}

/** The batch name of a blue-green deploy's new web set. */
export const GREEN_BATCH = "green";

/**
 * Blue-green web steps: start the whole new set (the formation, whatever the
 * surge), gate it, go live and switch every request to it in one router
 * change; the old set stays running at weight 0 (standby) for a switch back.
 */
function planBlueGreenWeb(
  input: DeployInput,
  replicas: number,
  old: RoutedServer[],
  steps: Step[],
  commit: () => void,
  retiredIds: Set<string>,
  processContainers: ObservedContainer[],
): void {
  const specs = Array.from({ length: replicas }, () =>
    processContainerSpec(input.release, "web", input.suffix(), input.stopTimeoutSec, input.mounts, input.pidsLimit),
  );
  steps.push(
    { kind: "start", batch: GREEN_BATCH, process: "web", specs },
    { kind: "gate", batch: GREEN_BATCH, healthcheck: input.release.healthcheck },
  );
  commit();
  steps.push({ kind: "route", batch: GREEN_BATCH, drain: old });
  const containers = processContainers.filter((c) => old.some((s) => s.containerId === c.id));
  containers.forEach((c) => retiredIds.add(c.id));
  steps.push({ kind: "standby", servers: old, containers });
}
