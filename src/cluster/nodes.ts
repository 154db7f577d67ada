import { AppError } from "../errors/app-error.js";
import { LABEL } from "../docker/port.js";
import { ADMITTED_LABEL } from "./service-spec.js";

/** A node of the swarm as `yk nodes` shows it (GET /api/v1/cluster/nodes). */
export interface NodeView {
  id: string;
  hostname: string;
  address: string;
  role: "manager" | "worker";
  /** ready, down, unknown, disconnected */
  state: string;
  /** active, pause, drain */
  availability: string;
  leader: boolean;
  /** passed Yadokari's admission check: takes placements */
  admitted: boolean;
  labels: Record<string, string>;
  cpus: number;
  memoryBytes: number;
  os: string;
  arch: string;
  engineVersion: string;
  /** running units of each app on this node */
  units: Record<string, number>;
}

/** The fields of the Engine API's Node we read. */
export interface EngineNode {
  ID: string;
  Version?: { Index?: number };
  Spec?: { Labels?: Record<string, string>; Role?: string; Availability?: string; Name?: string };
  Description?: {
    Hostname?: string;
    Platform?: { Architecture?: string; OS?: string };
    Resources?: { NanoCPUs?: number; MemoryBytes?: number };
    Engine?: { EngineVersion?: string };
  };
  Status?: { State?: string; Addr?: string; Message?: string };
  ManagerStatus?: { Leader?: boolean; Addr?: string };
}

/** The fields of the Engine API's Task we read. */
export interface EngineTask {
  NodeID?: string;
  Status?: { State?: string };
  Spec?: { ContainerSpec?: { Labels?: Record<string, string> } };
}

/**
 * Docker's nodes and tasks → the views, sorted managers first then by
 * hostname and id. Pure. `instance` limits the unit counts to this server's
 * tasks (another Yadokari, or a user's own services, may share the swarm).
 */
export function nodeViews(nodes: EngineNode[], tasks: EngineTask[], instance?: string): NodeView[] {
  const units = new Map<string, Record<string, number>>();
  for (const t of tasks) {
    const labels = t.Spec?.ContainerSpec?.Labels ?? {};
    const app = labels[LABEL.app];
    if (!app || !t.NodeID || t.Status?.State !== "running") continue;
    if (instance && labels[LABEL.instance] !== instance) continue;
    const per = units.get(t.NodeID) ?? {};
    per[app] = (per[app] ?? 0) + 1;
    units.set(t.NodeID, per);
  }
  return nodes
    .map((n): NodeView => {
      const labels = n.Spec?.Labels ?? {};
      return {
        id: n.ID,
        hostname: n.Description?.Hostname ?? "",
        // A manager's Status.Addr can be 0.0.0.0 when it listens on all addresses: its ManagerStatus says where.
        address: managerHost(n.ManagerStatus?.Addr) ?? n.Status?.Addr ?? "",
        role: n.Spec?.Role === "manager" ? "manager" : "worker",
        state: n.Status?.State ?? "unknown",
        availability: n.Spec?.Availability ?? "active",
        leader: n.ManagerStatus?.Leader === true,
        admitted: labels[ADMITTED_LABEL] === "true",
        labels,
        cpus: (n.Description?.Resources?.NanoCPUs ?? 0) / 1e9,
        memoryBytes: n.Description?.Resources?.MemoryBytes ?? 0,
        os: n.Description?.Platform?.OS ?? "",
        arch: n.Description?.Platform?.Architecture ?? "",
        engineVersion: n.Description?.Engine?.EngineVersion ?? "",
        units: units.get(n.ID) ?? {},
      };
    })
    .sort(
      (a, b) =>
        (a.role === b.role ? 0 : a.role === "manager" ? -1 : 1) ||
        a.hostname.localeCompare(b.hostname) ||
        a.id.localeCompare(b.id),
    );
}

function managerHost(addr: string | undefined): string | null {
  if (!addr) return null;
  const host = addr.replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1");
  return host && host !== "0.0.0.0" ? host : null;
}

/**
 * NODE as the user typed it: a full id, a unique id prefix, or a unique
 * hostname (nodes on one machine share a hostname: then the id decides).
 */
export function resolveNode(nodes: EngineNode[], ref: string): EngineNode {
  const exact = nodes.find((n) => n.ID === ref);
  if (exact) return exact;
  const byName = nodes.filter((n) => n.Description?.Hostname === ref);
  const byPrefix = ref.length >= 3 ? nodes.filter((n) => n.ID.startsWith(ref)) : [];
  const matches = byName.length ? byName : byPrefix;
  if (matches.length === 1) return matches[0];
  if (matches.length > 1)
    throw new AppError(
      "invalid_request",
      `${JSON.stringify(ref)} names ${matches.length} nodes (${matches.map((n) => n.ID.slice(0, 12)).join(", ")})`,
      "Name the node by its id ('yk nodes' lists them).",
    );
  throw new AppError("not_found", `no node ${JSON.stringify(ref)} in the swarm`, "'yk nodes' lists the nodes.");
}

const LABEL_KEY = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^[A-Za-z0-9._:/@+-]{0,256}$/;

/**
 * `yk nodes:label NODE key=value… [key-]`: pairs to set, keys ending in '-' to
 * remove (as kubectl label does). Keys under `yadokari.` are Yadokari's own
 * (the admission label) and cannot be set by hand. Pure.
 */
export function parseNodeLabels(args: unknown): { set: Record<string, string>; remove: string[] } {
  if (!Array.isArray(args) || args.length === 0)
    throw new AppError("invalid_label", "give at least one key=value (or key- to remove a label)");
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const a of args) {
    if (typeof a !== "string") throw new AppError("invalid_label", "labels are strings");
    const removal = /^([^=]+)-$/.exec(a);
    const eq = a.indexOf("=");
    const key = removal ? removal[1] : eq > 0 ? a.slice(0, eq) : "";
    const value = removal ? "" : a.slice(eq + 1);
    if (!removal && eq <= 0) throw new AppError("invalid_label", `${JSON.stringify(a.slice(0, 80))} is not key=value`);
    if (!LABEL_KEY.test(key))
      throw new AppError("invalid_label", `the label key ${JSON.stringify(key.slice(0, 80))} is not valid`);
    if (key.startsWith("yadokari.") || key.startsWith("com.docker."))
      throw new AppError("invalid_label", `the label key ${key} is reserved`);
    if (!LABEL_VALUE.test(value))
      throw new AppError(
        "invalid_label",
        `the value of ${key} must be letters, digits and . _ : / @ + - (no spaces or quotes), at most 256`,
      );
    if (removal) remove.push(key);
    else set[key] = value;
  }
  return { set, remove };
}

/** The ports hosts of a swarm must open to each other, for join-command and the admission error. */
export const SWARM_PORTS = [
  { port: "2377/tcp", why: "cluster management (to managers)" },
  { port: "7946/tcp", why: "node communication" },
  { port: "7946/udp", why: "node communication" },
  { port: "4789/udp", why: "overlay network traffic (VXLAN)" },
] as const;
