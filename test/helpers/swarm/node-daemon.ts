import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";
import { pidAlive, sleep, until } from "./sh.js";

/** One dockerd in its own network namespace, with its own config, data, exec root, socket and pid file. */
export interface NodeDaemon {
  index: number;
  netns: string;
  address: string;
  dir: string;
  socketPath: string;
  pid: number | null;
}

export const nodeDocker = (n: Pick<NodeDaemon, "socketPath">) => new Docker({ socketPath: n.socketPath });

/**
 * Starts the node's dockerd with `nsenter --net` (not `ip netns exec`, which
 * remounts /sys and leaves dockerd without its cgroup mounts). A node marked
 * prefer-offline gets DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1: its tasks use
 * local images and never pull (not even from Yadokari's registry), so a task
 * of a local-only image does not wait ~40 s on a pull that cannot succeed.
 * Resolves once the Engine API answers (bounded).
 */
export async function startDaemon(n: NodeDaemon, timeoutMs = 30_000): Promise<void> {
  const offline = existsSync(join(n.dir, "prefer-offline"));
  for (const d of ["data", "exec"]) mkdirSync(join(n.dir, d), { recursive: true });
  const config = join(n.dir, "daemon.json");
  // Its own empty config: the host's /etc/docker/daemon.json is not ours to read.
  if (!existsSync(config)) writeFileSync(config, "{}\n");
  const log = openSync(join(n.dir, "dockerd.log"), "a");
  const child = spawn(
    "nsenter",
    [
      `--net=/var/run/netns/${n.netns}`,
      "dockerd",
      "--config-file",
      config,
      "--data-root",
      join(n.dir, "data"),
      "--exec-root",
      join(n.dir, "exec"),
      "-H",
      `unix://${n.socketPath}`,
      "--pidfile",
      join(n.dir, "docker.pid"),
      // a bounded stop: containers get 3 s, then dockerd kills them and exits
      "--shutdown-timeout",
      "3",
    ],
    {
      detached: true, // its own process group: a Ctrl-C of the test does not kill it half-way; teardown does
      stdio: ["ignore", log, log],
      env: { ...process.env, ...(offline ? { DOCKER_SERVICE_PREFER_OFFLINE_IMAGE: "1" } : {}) },
    },
  );
  closeSync(log);
  child.unref();
  n.pid = child.pid ?? null; // nsenter execs dockerd: the same pid
  const docker = nodeDocker(n);
  await until(
    `dockerd of node ${n.index} to answer`,
    async () => {
      if (n.pid && !pidAlive(n.pid)) throw new Error(`dockerd exited: ${tail(join(n.dir, "dockerd.log"))}`);
      await docker.ping();
      return true;
    },
    timeoutMs,
  );
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopPid(pid: number, graceMs: number): Promise<void> {
  if (!pidAlive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (pidAlive(pid) && Date.now() < deadline) await sleep(50);
  if (pidAlive(pid)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* gone */
    }
    const hard = Date.now() + 5000;
    while (pidAlive(pid) && Date.now() < hard) await sleep(50);
  }
}

/** Direct children of a pid (container processes under a containerd shim). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

export function tail(path: string, chars = 1500): string {
  try {
    return readFileSync(path, "utf8").slice(-chars);
  } catch {
    return "";
  }
}
