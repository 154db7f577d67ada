import { createHash } from "node:crypto";
import { LABEL } from "../docker/port.js";
import type { Mount, Release } from "../domain/types.js";
import { releaseEnv } from "../engine/plan/unit-spec.js";
import type { Placement } from "./placement.js";

/**
 * The Engine API's ServiceSpec (POST /services/create), the part we set.
 * Built by pure code from a release and a process type; the Swarm engine
 * sends it (Kamal's habit: builders return data, one place executes).
 */
export interface ServiceSpec {
  Name: string;
  Labels: Record<string, string>;
  TaskTemplate: {
    ContainerSpec: {
      Image: string;
      Args?: string[];
      Env: string[];
      Labels: Record<string, string>;
      Init: boolean;
      StopGracePeriod: number;
      Mounts?: { Type: "bind" | "volume"; Source: string; Target: string }[];
    };
    Resources?: { Limits?: { MemoryBytes?: number; NanoCPUs?: number } };
    RestartPolicy: { Condition: "none" | "on-failure" | "any"; Delay: number; MaxAttempts: number };
    Placement: { Constraints: string[]; Preferences: { Spread: { SpreadDescriptor: string } }[] };
    Networks: { Target: string }[];
    LogDriver: { Name: string; Options: Record<string, string> };
  };
  Mode: { Replicated: { Replicas: number } } | { Global: Record<string, never> };
  UpdateConfig: {
    Parallelism: number;
    Delay: number;
    FailureAction: "pause" | "continue" | "rollback";
    Monitor: number;
    Order: "start-first" | "stop-first";
  };
  EndpointSpec: {
    Mode: "dnsrr";
    Ports?: { Protocol: "tcp"; TargetPort: number; PublishMode: "host"; PublishedPort?: number }[];
  };
}

/** The node label the admission check sets: our tasks go only to nodes that passed it. */
export const ADMITTED_LABEL = "yadokari.admitted";
export const ADMITTED_CONSTRAINT = `node.labels.${ADMITTED_LABEL}==true`;
/** The overlay network every app task joins (attachable, so one-off runs can join it too). */
export const OVERLAY_NETWORK = "yadokari-overlay";

const SECOND_NS = 1_000_000_000;

export interface ServiceSpecInput {
  release: Release;
  process: string;
  /** ignored for global placement */
  replicas: number;
  placement: Placement;
  /** which Yadokari server created it (the yadokari.instance label) */
  instance: string;
  /** the reference nodes pull: the registry's host before yadokari/<app>:<commit> (or the release image as is) */
  image: string;
  /** the port the app listens on ($PORT) */
  port: number;
  stopTimeoutSec: number;
  mounts?: Mount[];
  resources?: { memoryBytes?: number; nanoCpus?: number };
  /** false only on a swarm whose nodes are all trusted as they are (tests of the spec alone) */
  admittedOnly?: boolean;
}

/**
 * A service name is a DNS label of at most 63 characters: a long process
 * type is replaced by a short hash of it (the labels keep the real name).
 */
export function serviceName(app: string, process: string, version: number): string {
  const name = `yk-${app}-${process}-v${version}`;
  if (name.length <= 63 && /^[a-zA-Z0-9-]+$/.test(process)) return name;
  const h = createHash("sha256").update(process).digest("hex").slice(0, 10);
  return `yk-${app}-p${h}-v${version}`;
}

/**
 * One release's process type as a Swarm service. Routing skips Swarm's
 * virtual IPs (they need IPVS, absent here, and lag during updates): the
 * service uses DNS round robin, and a web task publishes its port in host
 * mode on a port Swarm picks per task, so HAProxy reaches every task at
 * <node address>:<published port>, gated and weighted like a container.
 */
export function serviceSpec(input: ServiceSpecInput): ServiceSpec {
  const { release, process } = input;
  const labels = {
    [LABEL.managed]: "true",
    [LABEL.app]: release.app,
    [LABEL.release]: `v${release.version}`,
    [LABEL.process]: process,
    [LABEL.kind]: process,
    [LABEL.instance]: input.instance,
  };
  const command = release.processes[process] ?? null;
  const mounts = (input.mounts ?? []).map((m) => ({
    // An absolute path is a bind of a host directory (it must exist on every node); a name is a node-local volume.
    Type: (m.hostPath.startsWith("/") ? "bind" : "volume") as "bind" | "volume",
    Source: m.hostPath,
    Target: m.containerPath,
  }));
  const limits = {
    ...(input.resources?.memoryBytes ? { MemoryBytes: input.resources.memoryBytes } : {}),
    ...(input.resources?.nanoCpus ? { NanoCPUs: input.resources.nanoCpus } : {}),
  };
  const constraints = [
    ...(input.admittedOnly === false ? [] : [ADMITTED_CONSTRAINT]),
    ...input.placement.constraints.filter((c) => c !== ADMITTED_CONSTRAINT),
  ];
  return {
    Name: serviceName(release.app, process, release.version),
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: input.image,
        // Args, not Command: Command would replace the image's ENTRYPOINT, where a container's Cmd does not.
        ...(command ? { Args: ["/bin/sh", "-c", command] } : {}),
        Env: Object.entries(releaseEnv(release, process)).map(([k, v]) => `${k}=${v}`),
        Labels: labels,
        // Docker's init forwards SIGTERM to the app, as for local containers.
        Init: true,
        StopGracePeriod: input.stopTimeoutSec * SECOND_NS,
        ...(mounts.length ? { Mounts: mounts } : {}),
      },
      ...(Object.keys(limits).length ? { Resources: { Limits: limits } } : {}),
      // Swarm replaces a task that exits or whose node dies; the delay keeps a crash loop from spinning.
      RestartPolicy: { Condition: "any", Delay: 2 * SECOND_NS, MaxAttempts: 0 },
      Placement: {
        Constraints: constraints,
        // Swarm already spreads one service's tasks over the nodes (fewest tasks first); these add label spreads.
        Preferences: input.placement.spread.map((d) => ({ Spread: { SpreadDescriptor: d } })),
      },
      Networks: [{ Target: OVERLAY_NETWORK }],
      LogDriver: { Name: "json-file", Options: { "max-size": "10m", "max-file": "3" } },
    },
    Mode:
      input.placement.mode === "global"
        ? { Global: {} }
        : { Replicated: { Replicas: Math.max(0, Math.floor(input.replicas)) } },
    // Deploys make a new service per release (Yadokari rolls through HAProxy); an update of a service
    // (a placement change) replaces one task at a time, the new one started before the old one stops.
    UpdateConfig: { Parallelism: 1, Delay: 0, FailureAction: "pause", Monitor: 5 * SECOND_NS, Order: "start-first" },
    EndpointSpec: {
      Mode: "dnsrr",
      // No PublishedPort: each task gets its own free port on its node, so two tasks can share a node.
      ...(process === "web" ? { Ports: [{ Protocol: "tcp", TargetPort: input.port, PublishMode: "host" }] } : {}),
    },
  };
}
