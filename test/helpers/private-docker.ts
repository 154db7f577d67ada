import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { Readable } from "node:stream";
import Docker from "dockerode";
import { createUnderlay, destroyUnderlay, freePrefix, namespacePids, type Underlay } from "./swarm/network.js";
import { childrenOf, startDaemon, stopPid, type NodeDaemon } from "./swarm/node-daemon.js";
import { pidAlive, tryRun } from "./swarm/sh.js";

const hostDocker = new Docker({ socketPath: "/var/run/docker.sock" });

/**
 * A dockerd of our own in a network namespace (the swarm helpers' underlay
 * and daemon, without the swarm), for tests that must restart Docker without
 * touching the host's: a cold start after "a reboot". The host reaches the
 * namespace at `address`; a server run with `prefix` (nsenter) lives inside it
 * with its HAProxy, so both reach the containers. destroy() removes every
 * process, mount, link and directory it made.
 */
export class PrivateDocker {
  private constructor(
    private readonly underlay: Underlay,
    private readonly node: NodeDaemon,
    readonly dir: string,
  ) {}

  get address(): string {
    return this.node.address;
  }
  get socketPath(): string {
    return this.node.socketPath;
  }
  get docker(): Docker {
    return new Docker({ socketPath: this.node.socketPath });
  }
  /** argv prefix that runs a program inside the namespace */
  get prefix(): string[] {
    return ["nsenter", `--net=/var/run/netns/${this.node.netns}`];
  }
  get dockerHost(): string {
    return `unix://${this.node.socketPath}`;
  }

  static async create(images: string[]): Promise<PrivateDocker> {
    const id = randomBytes(2).toString("hex");
    const dir = join("/tmp", `ykd-${id}`); // short: containerd's socket paths live under it
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const prefix = await freePrefix();
    const underlay: Underlay = {
      id,
      bridge: `ykd${id}`,
      hostAddress: `${prefix}.1`,
      prefix,
      namespaces: [],
      forwardRule: null,
    };
    const node: NodeDaemon = {
      index: 1,
      netns: "",
      address: "",
      dir: join(dir, "n1"),
      socketPath: join(dir, "n1", "docker.sock"),
      pid: null,
    };
    const d = new PrivateDocker(underlay, node, dir);
    try {
      await createUnderlay(underlay, 1);
      node.netns = underlay.namespaces[0].name;
      node.address = underlay.namespaces[0].address;
      mkdirSync(node.dir, { recursive: true });
      await startDaemon(node);
      for (const ref of images) {
        const tar = (await hostDocker.getImage(ref).get()) as unknown as Readable;
        const out = (await d.docker.loadImage(tar)) as unknown as Readable;
        await new Promise<void>((resolve, reject) => {
          out.on("data", () => {});
          out.on("end", resolve);
          out.on("error", reject);
        });
      }
      return d;
    } catch (e) {
      await d.destroy();
      throw e;
    }
  }

  /** Stops dockerd (it stops every container, as at a shutdown) and starts it again; returns the ms each took. */
  async restart(): Promise<{ stopMs: number; startMs: number }> {
    const t0 = Date.now();
    if (this.node.pid) await stopPid(this.node.pid, 20_000);
    const t1 = Date.now();
    await startDaemon(this.node);
    return { stopMs: t1 - t0, startMs: Date.now() - t1 };
  }

  async destroy(): Promise<void> {
    if (this.node.pid && pidAlive(this.node.pid)) {
      const d = this.docker;
      const cs = await d.listContainers({ all: true }).catch(() => []);
      await Promise.all(
        cs.map((c) =>
          d
            .getContainer(c.Id)
            .remove({ force: true })
            .catch(() => {}),
        ),
      );
      await stopPid(this.node.pid, 15_000);
    }
    for (const ns of this.underlay.namespaces)
      for (const pid of await namespacePids(ns.name)) {
        for (const child of childrenOf(pid)) kill(child);
        kill(pid);
      }
    const mounts = readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .map((l) => l.split(" ")[4])
      .filter((p): p is string => !!p && p.startsWith(this.dir + "/"))
      .sort((a, b) => b.length - a.length);
    for (const m of new Set(mounts)) await tryRun("umount", ["-l", m]);
    await destroyUnderlay(this.underlay);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    /* gone */
  }
}
