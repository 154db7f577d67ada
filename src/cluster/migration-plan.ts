import type { Formation, Mount, Release } from "../domain/types.js";
import { DEFAULT_PLACEMENT, type Placement } from "./placement.js";
import { OVERLAY_NETWORK, serviceSpec, type ServiceSpec } from "./service-spec.js";

/**
 * `yk cluster:init` moves every app from the local engine to the swarm with
 * zero downtime. This is that move as data, computed by pure code from what
 * the store and the local engine say; the executor (phase 2, behind the
 * engine seam) runs it one step at a time, recording each, as deploys are run.
 *
 * Per app, the order is the one a deploy keeps: the swarm's units start and
 * pass the same health gate before they take traffic, and the local
 * containers are drained only once the swarm's are routed. Worker types
 * overlap for a moment (as during any deploy): at least one of each runs.
 */
export interface LocalApp {
  name: string;
  /** `ps:stop`: nothing runs, nothing to start on the swarm */
  stopped: boolean;
  live: Release | null;
  formation: Formation;
  placement: Record<string, Placement>;
  mounts: Mount[];
  /** the app's containers on the local engine, any release */
  containers: { id: string; name: string; process: string; routed: boolean }[];
}

export type MigrationStep =
  | { kind: "ensure-overlay"; network: string }
  | { kind: "ensure-registry" }
  /** push yadokari/<app>:<commit> to the registry the nodes pull from */
  | { kind: "distribute-image"; app: string; image: string; ref: string }
  | { kind: "create-service"; app: string; process: string; spec: ServiceSpec }
  /** wait until the service's tasks run: a count, or one per eligible node */
  | { kind: "await-tasks"; app: string; service: string; want: number | "every-node" }
  /** the same health gate as a deploy, from outside, on every web task */
  | { kind: "gate-tasks"; app: string; service: string }
  | { kind: "route-tasks"; app: string; service: string }
  | { kind: "drain-containers"; app: string; ids: string[] }
  | { kind: "remove-containers"; app: string; ids: string[] }
  /** from here on the app's deploys, scaling and runs go to the swarm */
  | { kind: "switch-engine"; app: string; engine: "swarm" };

export interface MigrationInput {
  apps: LocalApp[];
  instance: string;
  /** the reference nodes pull, for a release image (registry host before yadokari/<app>:<commit>) */
  pullRef: (image: string) => string;
  port: number;
  stopTimeoutSec: number;
}

export function planMigration(input: MigrationInput): MigrationStep[] {
  const steps: MigrationStep[] = [{ kind: "ensure-overlay", network: OVERLAY_NETWORK }, { kind: "ensure-registry" }];
  for (const app of [...input.apps].sort((a, b) => a.name.localeCompare(b.name))) steps.push(...appSteps(app, input));
  return steps;
}

function appSteps(app: LocalApp, input: MigrationInput): MigrationStep[] {
  const steps: MigrationStep[] = [];
  const all = app.containers.map((c) => c.id);
  if (!app.live || app.stopped) {
    // Nothing should run: leftovers (if any) go, and the app's next start or deploy lands on the swarm.
    if (all.length) steps.push({ kind: "remove-containers", app: app.name, ids: all });
    steps.push({ kind: "switch-engine", app: app.name, engine: "swarm" });
    return steps;
  }
  const release = app.live;
  const ref = input.pullRef(release.image);
  steps.push({ kind: "distribute-image", app: app.name, image: release.image, ref });
  // web first, then the others by name: traffic moves as early as possible
  const types = Object.keys(release.processes).sort((a, b) =>
    a === "web" ? -1 : b === "web" ? 1 : a.localeCompare(b),
  );
  const services: { process: string; name: string }[] = [];
  for (const process of types) {
    const placement = app.placement[process] ?? DEFAULT_PLACEMENT;
    const replicas = app.formation[process] ?? release.formation[process] ?? (process === "web" ? 1 : 0);
    if (placement.mode === "replicated" && replicas === 0) continue;
    const spec = serviceSpec({
      release,
      process,
      replicas,
      placement,
      instance: input.instance,
      image: ref,
      port: input.port,
      stopTimeoutSec: input.stopTimeoutSec,
      mounts: app.mounts,
    });
    steps.push({ kind: "create-service", app: app.name, process, spec });
    services.push({ process, name: spec.Name });
    steps.push({
      kind: "await-tasks",
      app: app.name,
      service: spec.Name,
      want: placement.mode === "global" ? "every-node" : replicas,
    });
  }
  const web = services.find((s) => s.process === "web");
  if (web) {
    steps.push({ kind: "gate-tasks", app: app.name, service: web.name });
    steps.push({ kind: "route-tasks", app: app.name, service: web.name });
  }
  const routed = app.containers.filter((c) => c.routed).map((c) => c.id);
  if (routed.length) steps.push({ kind: "drain-containers", app: app.name, ids: routed });
  if (all.length) steps.push({ kind: "remove-containers", app: app.name, ids: all });
  steps.push({ kind: "switch-engine", app: app.name, engine: "swarm" });
  return steps;
}

/** One line per step, for `yk cluster:init --dry-run` and the deploy log. */
export function describeStep(s: MigrationStep): string {
  switch (s.kind) {
    case "ensure-overlay":
      return `create the overlay network ${s.network} (if absent)`;
    case "ensure-registry":
      return "start Yadokari's image registry (if not running)";
    case "distribute-image":
      return `${s.app}: push ${s.image} to the nodes' registry as ${s.ref}`;
    case "create-service":
      return `${s.app}: create service ${s.spec.Name} (${"Global" in s.spec.Mode ? "one per node" : `${s.spec.Mode.Replicated.Replicas} replicas`})`;
    case "await-tasks":
      return `${s.app}: wait for ${s.service}'s tasks to run (${s.want === "every-node" ? "one per node" : s.want})`;
    case "gate-tasks":
      return `${s.app}: health-check every task of ${s.service}`;
    case "route-tasks":
      return `${s.app}: add ${s.service}'s tasks to the router`;
    case "drain-containers":
      return `${s.app}: drain ${s.ids.length} local container(s) from the router`;
    case "remove-containers":
      return `${s.app}: stop and remove ${s.ids.length} local container(s)`;
    case "switch-engine":
      return `${s.app}: runs on the swarm from now on`;
  }
}
