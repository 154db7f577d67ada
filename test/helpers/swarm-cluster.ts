import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import Docker from "dockerode";
import { createUnderlay, destroyUnderlay, freePrefix, namespacePids, type Underlay } from "./swarm/network.js";
import { childrenOf, nodeDocker, startDaemon, stopPid, type NodeDaemon } from "./swarm/node-daemon.js";
import { must, pidAlive, tryRun, until } from "./swarm/sh.js";

/** The rule blockOverlay inserts in a node's own namespace (gone with the namespace). */
const OVERLAY_DROP = (op: "-I" | "-D") => [op, "INPUT", "-p", "udp", "--dport", "4789", "-j", "DROP"];

const hostDocker = new Docker({ socketPath: "/var/run/docker.sock" });
/** Short, because unix socket paths (containerd's, under each exec root) must stay under 108 bytes. */
const RUN_ROOT = "/tmp";
const RUN_PREFIX = "yks-";
/** Where dockerd looks for a registry's CA; the cluster adds one folder per registry it trusts and removes it. */
const CERTS_D = "/etc/docker/certs.d";

export interface SwarmNode extends NodeDaemon {
  /** the swarm's id of this node (`docker node ls`) */
  nodeId: string;
  role: "manager" | "worker";
  docker: Docker;
}

/** Everything a cluster created, on disk, so a run that died can be torn down by the next one. */
interface ClusterState {
  id: string;
  ownerPid: number;
  dir: string;
  underlay: Underlay;
  nodes: NodeDaemon[];
  trustedRegistries: string[];
  /** a dev swarm (scripts/dev-swarm.sh): outlives its creator until `down` */
  keep?: boolean;
}

export interface ClusterOptions {
  nodes?: number;
  managers?: number;
  /** local images loaded into every node (default the busybox base image) */
  images?: string[];
  /** MTU of the nodes' links (to reproduce an MTU problem) */
  mtu?: number;
  log?: (m: string) => void;
  /**
   * DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 on every node: tasks run local images without a pull (for tests of
   * local-only images); leave it off when tasks pull from Yadokari's registry, as real nodes do.
   */
  preferOfflineImages?: boolean;
  /** keep it after this process exits (dev-swarm.sh up); tests never set it */
  keep?: boolean;
}

/**
 * A real multi-node Docker Swarm on this machine: a host bridge, N network
 * namespaces, one dockerd per namespace, `swarm init` on node 1 and `join`
 * of the others. Unique names per run (two runs coexist); every wait is
 * bounded; destroy() removes every process (by PID), namespace, link,
 * iptables rule, mount, certificate folder and directory it created, and is
 * safe to call after a failed create. `SwarmCluster.sweepStale()` does the
 * same for clusters whose owner process died.
 */
export class SwarmCluster {
  readonly nodes: SwarmNode[] = [];
  /** ms taken by create() and by the last destroy() */
  readonly timings = { upMs: 0, downMs: 0 };

  private constructor(
    private readonly state: ClusterState,
    private readonly log: (m: string) => void,
  ) {}

  get id(): string {
    return this.state.id;
  }
  /** the host's address on the cluster's bridge: what the nodes reach the host (router, registry) at */
  get hostAddress(): string {
    return this.state.underlay.hostAddress;
  }
  get manager(): SwarmNode {
    return this.nodes[0];
  }
  get workers(): SwarmNode[] {
    return this.nodes.filter((n) => n.role === "worker");
  }
  /** DOCKER_HOST for a Yadokari server (or the docker CLI) that talks to the manager */
  get dockerHost(): string {
    return `unix://${this.manager.socketPath}`;
  }

  static async create(opts: ClusterOptions = {}): Promise<SwarmCluster> {
    const started = Date.now();
    const count = opts.nodes ?? 3;
    const managers = Math.min(Math.max(opts.managers ?? 1, 1), count);
    const log = opts.log ?? (() => {});
    await SwarmCluster.sweepStale(log);
    const id = randomBytes(2).toString("hex");
    const dir = join(RUN_ROOT, `${RUN_PREFIX}${id}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const prefix = await freePrefix();
    const state: ClusterState = {
      id,
      ownerPid: process.pid,
      dir,
      underlay: { id, bridge: `ykb${id}`, hostAddress: `${prefix}.1`, prefix, namespaces: [], forwardRule: null },
      nodes: [],
      trustedRegistries: [],
      ...(opts.keep ? { keep: true } : {}),
    };
    const c = new SwarmCluster(state, log);
    try {
      c.save();
      await createUnderlay(state.underlay, count, opts.mtu);
      c.save();
      for (const [i, ns] of state.underlay.namespaces.entries()) {
        const n: NodeDaemon = {
          index: i + 1,
          netns: ns.name,
          address: ns.address,
          dir: join(dir, `n${i + 1}`),
          socketPath: join(dir, `n${i + 1}`, "docker.sock"),
          pid: null,
        };
        state.nodes.push(n);
        mkdirSync(n.dir, { recursive: true });
        if (opts.preferOfflineImages) writeFileSync(join(n.dir, "prefer-offline"), "1\n");
      }
      await Promise.all(state.nodes.map((n) => startDaemon(n).finally(() => c.save())));
      await c.formSwarm(managers);
      const images = opts.images ?? ["yadokari-local/busybox:1"];
      for (const ref of images) await c.loadImage(ref);
      c.timings.upMs = Date.now() - started;
      log(`swarm ${id} up: ${count} nodes on ${prefix}.0/24 in ${c.timings.upMs} ms`);
      return c;
    } catch (e) {
      await c.destroy().catch((err) => log(`teardown after a failed create: ${(err as Error).message}`));
      throw e;
    }
  }

  private async formSwarm(managers: number): Promise<void> {
    const [first, ...rest] = this.state.nodes;
    const mgr = nodeDocker(first);
    await mgr.swarmInit({
      ListenAddr: `${first.address}:2377`,
      AdvertiseAddr: first.address,
      // overlays get addresses from a pool that no host network uses (inside the namespaces anyway)
      DefaultAddrPool: ["10.201.0.0/16"],
      SubnetSize: 24,
    });
    const info = (await mgr.swarmInspect()) as { JoinTokens: { Worker: string; Manager: string } };
    for (const [i, n] of rest.entries()) {
      const asManager = i + 1 < managers;
      await nodeDocker(n).swarmJoin({
        ListenAddr: `${n.address}:2377`,
        AdvertiseAddr: n.address,
        RemoteAddrs: [`${first.address}:2377`],
        JoinToken: asManager ? info.JoinTokens.Manager : info.JoinTokens.Worker,
      });
    }
    for (const n of this.state.nodes) {
      const local = (await nodeDocker(n).info()) as { Swarm: { NodeID: string; ControlAvailable: boolean } };
      this.nodes.push({
        ...n,
        nodeId: local.Swarm.NodeID,
        role: local.Swarm.ControlAvailable ? "manager" : "worker",
        docker: nodeDocker(n),
      });
    }
    // Every node Ready before a test places anything.
    await until(
      "every node to be ready",
      async () => {
        const list = (await mgr.listNodes()) as { Status: { State: string } }[];
        return list.length === this.nodes.length && list.every((x) => x.Status.State === "ready");
      },
      20_000,
    );
  }

  /** Copies a local image from the host's engine into nodes (default all): `docker save | docker load`. */
  async loadImage(ref: string, nodes: SwarmNode[] = this.nodes): Promise<void> {
    for (const n of nodes) {
      const tar = (await hostDocker.getImage(ref).get()) as unknown as Readable;
      const out = (await n.docker.loadImage(tar)) as unknown as Readable;
      await new Promise<void>((resolve, reject) => {
        out.on("data", () => {});
        out.on("end", resolve);
        out.on("error", reject);
      });
    }
  }

  /** Makes every node's dockerd trust a registry's CA (dockerd reads /etc/docker/certs.d/HOST:PORT/ca.crt per pull). */
  trustRegistry(hostPort: string, caPem: string): void {
    if (!/^[0-9.]+:\d+$/.test(hostPort)) throw new Error(`not an address:port: ${hostPort}`);
    const d = join(CERTS_D, hostPort);
    this.state.trustedRegistries.push(d);
    this.save();
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, "ca.crt"), caPem);
  }

  /** Drops VXLAN (4789/udp) arriving at a node, as a firewall that was not opened would; undone by unblockOverlay. */
  async blockOverlay(node: SwarmNode): Promise<void> {
    await must("nsenter", [`--net=/var/run/netns/${node.netns}`, "iptables", "-w", "5", ...OVERLAY_DROP("-I")]);
  }

  async unblockOverlay(node: SwarmNode): Promise<void> {
    await must("nsenter", [`--net=/var/run/netns/${node.netns}`, "iptables", "-w", "5", ...OVERLAY_DROP("-D")]);
  }

  /** SIGKILL a node's dockerd, as a crash would (its containers keep running until it restarts). */
  async killDaemon(node: SwarmNode): Promise<void> {
    if (node.pid && pidAlive(node.pid)) {
      process.kill(node.pid, "SIGKILL");
      await until("dockerd to die", async () => !pidAlive(node.pid!), 5000);
    }
  }

  /** Starts a node's dockerd again; the node rejoins the swarm with its state on disk. */
  async restartDaemon(node: SwarmNode): Promise<void> {
    const state = this.state.nodes.find((n) => n.index === node.index)!;
    await startDaemon(state);
    node.pid = state.pid;
    this.save();
  }

  async destroy(): Promise<void> {
    const started = Date.now();
    await teardown(this.state, this.log);
    this.timings.downMs = Date.now() - started;
    this.log(`swarm ${this.state.id} down in ${this.timings.downMs} ms`);
  }

  private save(): void {
    writeFileSync(join(this.state.dir, "cluster.json"), JSON.stringify(this.state, null, 2));
  }

  /** Tears down clusters left by runs that died (their owner pid is gone). */
  static async sweepStale(log: (m: string) => void = () => {}, opts: { includeKept?: boolean } = {}): Promise<number> {
    let n = 0;
    for (const entry of readdirSync(RUN_ROOT)) {
      if (!entry.startsWith(RUN_PREFIX)) continue;
      const file = join(RUN_ROOT, entry, "cluster.json");
      if (!existsSync(file)) continue;
      let state: ClusterState;
      try {
        state = JSON.parse(readFileSync(file, "utf8")) as ClusterState;
      } catch {
        continue;
      }
      if (state.keep ? !opts.includeKept : pidAlive(state.ownerPid)) continue; // alive: its owner tears it down
      log(`removing the test swarm ${state.id} left by pid ${state.ownerPid}`);
      await teardown(state, log);
      n++;
    }
    return n;
  }
}

/** Reverse order of creation; every step tolerates what is already gone. */
async function teardown(state: ClusterState, log: (m: string) => void): Promise<void> {
  // 1. Services and containers removed through each live engine, so dockerd stops with nothing running.
  await Promise.all(
    state.nodes.map(async (n) => {
      if (!n.pid || !pidAlive(n.pid)) return;
      const d = nodeDocker(n);
      try {
        const services = await withTimeout(d.listServices(), 5000).catch(() => []);
        await Promise.all(
          services.map((s) =>
            d
              .getService(s.ID)
              .remove()
              .catch(() => {}),
          ),
        );
        const cs = await withTimeout(d.listContainers({ all: true }), 5000).catch(() => []);
        await Promise.all(
          cs.map((c) => withTimeout(d.getContainer(c.Id).remove({ force: true }), 8000).catch(() => {})),
        );
      } catch (e) {
        log(`node ${n.index}: ${(e as Error).message}`);
      }
    }),
  );
  // 2. dockerd by PID (it stops its containerd), then whatever still lives in the namespaces (shims, containers).
  await Promise.all(state.nodes.map((n) => (n.pid ? stopPid(n.pid, 15_000) : undefined)));
  for (const ns of state.underlay.namespaces) {
    for (const pid of await namespacePids(ns.name)) {
      for (const child of childrenOf(pid)) killQuietly(child);
      killQuietly(pid);
    }
  }
  // 3. Mounts dockerd left under our directory (overlay layers, netns files), deepest first.
  for (const m of mountsUnder(state.dir)) await tryRun("umount", ["-l", m]);
  // 4. Namespaces, links, the iptables rule; the registry CA folders; the directory.
  await destroyUnderlay(state.underlay);
  for (const d of state.trustedRegistries) rmSync(d, { recursive: true, force: true });
  rmSync(state.dir, { recursive: true, force: true });
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    /* gone */
  }
}

function mountsUnder(dir: string): string[] {
  const lines = readFileSync("/proc/self/mountinfo", "utf8").split("\n");
  const points = lines.map((l) => l.split(" ")[4]).filter((p): p is string => !!p && p.startsWith(dir + "/"));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => (t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms))),
  ]);
}
