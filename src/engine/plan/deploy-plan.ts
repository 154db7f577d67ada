import type { ContainerSpec } from "../../docker/port.js";
import type { Release, RoutedServer } from "../../domain/types.js";
import type { HealthCheck } from "../../manifest/app-json.js";
import type { ObservedContainer } from "../../docker/port.js";
import { processContainerSpec } from "./container-spec.js";

/**
 * A deploy as data. The executor runs the steps in order and records each.
 *   start  → new containers
 *   gate   → every new web container passes its health check (else: remove them, stop here)
 *   commit → the store names the new release live (the point of no return)
 *   route  → new servers ready, old ones drain
 *   retire → wait for old servers to finish in-flight requests, then stop and remove them
 * Retire runs off the path that decides when the deploy is live.
 */
export type Step =
  | { kind: "start"; specs: ContainerSpec[] }
  | { kind: "gate"; healthcheck: HealthCheck }
  | { kind: "commit"; releaseId: number }
  | { kind: "route"; drain: RoutedServer[] }
  | { kind: "retire"; servers: RoutedServer[]; containers: ObservedContainer[]; drainTimeoutSec: number; stopTimeoutSec: number };

export interface DeployInput {
  release: Release;
  replicas: number;
  /** the app's containers as Docker reports them */
  observed: ObservedContainer[];
  /** the app's servers in the router, as the store records them */
  routed: RoutedServer[];
  /** random suffixes for new container names, one per replica (passed in to keep this pure) */
  suffixes: string[];
  drainTimeoutSec: number;
  stopTimeoutSec: number;
}

export function planDeploy(input: DeployInput): Step[] {
  const { release, replicas } = input;
  if (input.suffixes.length < replicas) throw new Error("planDeploy: one suffix per replica is needed");
  const specs = Array.from({ length: replicas }, (_, i) => processContainerSpec(release, "web", input.suffixes[i], input.stopTimeoutSec));
  const oldServers = input.routed.filter((s) => s.process === "web");
  // Everything of this app that is not the new release goes: routed servers and any leftover container.
  const oldContainers = input.observed.filter((c) => c.release !== release.version);
  return [
    { kind: "start", specs },
    { kind: "gate", healthcheck: release.healthcheck },
    { kind: "commit", releaseId: release.id },
    { kind: "route", drain: oldServers },
    { kind: "retire", servers: oldServers, containers: oldContainers, drainTimeoutSec: input.drainTimeoutSec, stopTimeoutSec: input.stopTimeoutSec },
  ];
}
