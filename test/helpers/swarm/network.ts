import { must, tryRun } from "./sh.js";

/**
 * The underlay of a test swarm on one machine: a host bridge, one network
 * namespace per node joined to it by a veth pair, and one iptables rule that
 * lets the bridge forward to itself (docker sets the host's FORWARD policy to
 * DROP). No default route in the namespaces, so nothing waits on the internet.
 * Every name carries the run id; teardown removes exactly what was created.
 */
export interface Underlay {
  id: string;
  bridge: string;
  /** the host's address on the bridge, e.g. 10.77.42.1 */
  hostAddress: string;
  prefix: string;
  namespaces: { name: string; veth: string; address: string }[];
  /** the exact iptables rule inserted (argv after -I/-D FORWARD), or null when none was */
  forwardRule: string[] | null;
}

/** A /24 under 10.77.0.0/16 that no interface or route of the host uses yet. */
export async function freePrefix(): Promise<string> {
  const used = (await must("ip", ["-4", "-o", "addr", "show"])) + (await must("ip", ["-4", "route", "show"]));
  for (let tries = 0; tries < 200; tries++) {
    const prefix = `10.77.${1 + Math.floor(Math.random() * 254)}`;
    if (!used.includes(`${prefix}.`)) return prefix;
  }
  throw new Error("no free 10.77.x.0/24 for a test swarm");
}

export async function createUnderlay(u: Underlay, nodes: number, mtu?: number): Promise<void> {
  await must("ip", ["link", "add", u.bridge, "type", "bridge"]);
  await must("ip", ["addr", "add", `${u.hostAddress}/24`, "dev", u.bridge]);
  await must("ip", ["link", "set", u.bridge, "up"]);
  u.forwardRule = [
    "-i",
    u.bridge,
    "-o",
    u.bridge,
    "-m",
    "comment",
    "--comment",
    `yadokari-test-swarm-${u.id}`,
    "-j",
    "ACCEPT",
  ];
  await must("iptables", ["-w", "5", "-I", "FORWARD", "1", ...u.forwardRule]);
  for (let i = 1; i <= nodes; i++) await addNamespace(u, i, mtu);
}

export async function addNamespace(u: Underlay, i: number, mtu?: number): Promise<void> {
  const ns = { name: `ykn${u.id}-${i}`, veth: `ykv${u.id}${i}`, address: `${u.prefix}.${10 + i}` };
  await must("ip", ["netns", "add", ns.name]);
  u.namespaces.push(ns); // recorded before it is filled, so a failure below is still torn down
  await must("ip", ["link", "add", ns.veth, "type", "veth", "peer", "name", "eth0", "netns", ns.name]);
  await must("ip", ["link", "set", ns.veth, "master", u.bridge, "up"]);
  const inNs = (...args: string[]) => must("ip", ["-n", ns.name, ...args]);
  await inNs("addr", "add", `${ns.address}/24`, "dev", "eth0");
  if (mtu) {
    await inNs("link", "set", "eth0", "mtu", String(mtu));
    await must("ip", ["link", "set", ns.veth, "mtu", String(mtu)]);
  }
  await inNs("link", "set", "eth0", "up");
  await inNs("link", "set", "lo", "up");
}

/** Processes still inside a namespace (dockerd, containerd, shims): ours, since the namespace is. */
export async function namespacePids(ns: string): Promise<number[]> {
  const out = await must("ip", ["netns", "pids", ns]).catch(() => "");
  return out
    .split("\n")
    .map((l) => Number(l.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** Removes namespaces, the bridge and the iptables rule; each step tolerates what is already gone. */
export async function destroyUnderlay(u: Underlay): Promise<void> {
  for (const ns of [...u.namespaces].reverse()) {
    await tryRun("ip", ["link", "del", ns.veth]);
    await tryRun("ip", ["netns", "del", ns.name]);
  }
  await tryRun("ip", ["link", "del", u.bridge]);
  if (u.forwardRule) {
    // -D deletes one copy of the exact rule we inserted, never another rule.
    while (await tryRun("iptables", ["-w", "5", "-C", "FORWARD", ...u.forwardRule]))
      if (!(await tryRun("iptables", ["-w", "5", "-D", "FORWARD", ...u.forwardRule]))) break;
  }
}
