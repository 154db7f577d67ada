import { randomBytes } from "node:crypto";
import type Docker from "dockerode";
import { AppError } from "../errors/app-error.js";
import { LABEL } from "../docker/port.js";

/**
 * The admission check a node passes before it gets units: from the manager,
 * across the overlay, to a probe task on the node: a small ping (overlay
 * traffic at all: VXLAN 4789/udp, gossip 7946), a full-size one (1422 bytes of
 * payload: a 1450-byte packet, the overlay's MTU, which is a 1500-byte VXLAN
 * packet on the wire: an underlay that cannot carry it is the "works for
 * small requests, hangs on big ones" MTU problem), then a 1 MiB HTTP
 * transfer (full-size TCP segments). Scripts and their output are pure data.
 */
export const PROBE_PORT = 8080;
export const PROBE_BYTES = 1024 * 1024;
/** the overlay's default MTU (1500 minus VXLAN's 50 bytes) minus IPv4 (20) and ICMP (8) headers */
export const FULL_SIZE_PING = 1422;

/** The probe task on the candidate node: serves PROBE_BYTES zero bytes. */
export const PROBE_SERVER_ARGS = [
  "/bin/sh",
  "-c",
  `mkdir -p /www && dd if=/dev/zero of=/www/blob bs=1024 count=${PROBE_BYTES / 1024} 2>/dev/null && exec httpd -f -p ${PROBE_PORT} -h /www`,
];

/** The client on the manager; the target address comes as $TARGET (validated), never spliced into the script. */
export const PROBE_CLIENT_ARGS = [
  "/bin/sh",
  "-c",
  [
    'ping -c 2 -W 2 "$TARGET" >/dev/null 2>&1 && echo SMALL_OK',
    `ping -c 2 -W 2 -s ${FULL_SIZE_PING} "$TARGET" >/dev/null 2>&1 && echo BIG_OK`,
    // the probe task runs before its httpd listens: a few tries, a second apart (busybox wget -T segfaults: timeout bounds it)
    `for i in 1 2 3 4 5; do n=$(timeout 15 wget -q -O - "http://$TARGET:${PROBE_PORT}/blob" 2>/dev/null | wc -c); [ "$n" = ${PROBE_BYTES} ] && break; sleep 1; done`,
    'echo "BYTES $n"',
  ].join("; "),
];

export type AdmissionVerdict = { ok: true } | { ok: false; reason: string };

/** Reads the client's output into a verdict with the reason a user can act on. Pure. */
export function interpretProbe(output: string, node: string): AdmissionVerdict {
  const small = /\bSMALL_OK\b/.test(output);
  const big = /\bBIG_OK\b/.test(output);
  const bytes = Number(/BYTES\s+(\d+)/.exec(output)?.[1] ?? 0);
  if (!small)
    return {
      ok: false,
      reason: `no overlay traffic reaches node ${node}: open 4789/udp (VXLAN) and 7946/tcp+udp between the hosts`,
    };
  if (!big || bytes !== PROBE_BYTES)
    return {
      ok: false,
      reason: `small packets reach node ${node} across the overlay but ${!big ? `a full-size one (${FULL_SIZE_PING + 28} bytes)` : `a 1 MiB transfer (${bytes} bytes arrived)`} does not: the path between the hosts does not carry 1500-byte VXLAN packets (an MTU problem); raise the underlay's MTU or create the overlay with a lower com.docker.network.driver.mtu`,
    };
  return { ok: true };
}

export interface AdmissionOptions {
  /** the probe image as the node pulls it (from Yadokari's registry) */
  nodeImage: string;
  /** the same image as the manager's engine has it locally */
  managerImage: string;
  auth?: { username: string; password: string; serveraddress: string };
  timeoutMs?: number;
}

interface TaskInfo {
  Status?: { State?: string; Err?: string };
  NetworksAttachments?: { Network?: { Spec?: { Name?: string } }; Addresses?: string[] }[];
}

/**
 * Runs the check against one node (a throw-away overlay, a probe service
 * pinned to the node, a client container on the manager) and removes all of
 * it. Throws AppError node_admission_failed with the reason.
 */
export async function checkNode(docker: Docker, nodeId: string, opts: AdmissionOptions): Promise<void> {
  const id = randomBytes(4).toString("hex");
  const name = `yk-admit-${id}`;
  const labels = { [LABEL.managed]: "true", [LABEL.kind]: "admission" };
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  const left = () => Math.max(0, deadline - Date.now());
  let serviceId: string | null = null;
  let containerId: string | null = null;
  await docker.createNetwork({ Name: name, Driver: "overlay", Attachable: true, Labels: labels });
  try {
    const spec = {
      Name: name,
      Labels: labels,
      TaskTemplate: {
        ContainerSpec: { Image: opts.nodeImage, Args: PROBE_SERVER_ARGS, Labels: labels },
        Placement: { Constraints: [`node.id==${nodeId}`] },
        Networks: [{ Target: name }],
        RestartPolicy: { Condition: "none" },
      },
      Mode: { Replicated: { Replicas: 1 } },
      EndpointSpec: { Mode: "dnsrr" },
    };
    serviceId =
      (
        (await (opts.auth ? docker.createService(opts.auth, spec) : docker.createService(spec))) as {
          id?: string;
          ID?: string;
        }
      ).id ?? null;
    const target = await probeAddress(docker, name, left);
    const c = await docker.createContainer({
      Image: opts.managerImage,
      Cmd: PROBE_CLIENT_ARGS,
      Env: [`TARGET=${target}`],
      Labels: labels,
      HostConfig: { NetworkMode: name, Init: true },
    });
    containerId = c.id;
    await c.start();
    const done = await Promise.race([
      c.wait().then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), Math.min(left(), 40_000)).unref()),
    ]);
    const out = ((await c.logs({ stdout: true, stderr: true })) as unknown as Buffer).toString("latin1");
    const verdict = interpretProbe(out, nodeId.slice(0, 12));
    if (!done && verdict.ok)
      throw new AppError("node_admission_failed", `the admission probe of node ${nodeId} did not finish`);
    if (!verdict.ok) throw new AppError("node_admission_failed", verdict.reason);
  } finally {
    if (containerId)
      await docker
        .getContainer(containerId)
        .remove({ force: true })
        .catch(() => {});
    await docker
      .getService(serviceId ?? name)
      .remove()
      .catch(() => {});
    // The network goes once the probe task has left it (a few hundred ms).
    for (let i = 0; i < 40; i++) {
      const removed = await docker
        .getNetwork(name)
        .remove()
        .then(
          () => true,
          (e: { statusCode?: number }) => e.statusCode === 404,
        );
      if (removed) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** The probe task's address on the throw-away overlay, once it runs; a task that cannot start is the node's fault. */
async function probeAddress(docker: Docker, service: string, left: () => number): Promise<string> {
  for (;;) {
    const tasks = (await docker.listTasks({ filters: { service: [service] } })) as TaskInfo[];
    const t = tasks[0];
    if (t?.Status?.Err && t.Status.State !== "running")
      throw new AppError("node_admission_failed", `the probe task could not start on the node: ${t.Status.Err}`);
    if (t?.Status?.State === "running") {
      const att = t.NetworksAttachments?.find((a) => a.Network?.Spec?.Name === service);
      const addr = att?.Addresses?.[0]?.split("/")[0];
      if (addr && /^\d+\.\d+\.\d+\.\d+$/.test(addr)) return addr;
    }
    if (left() <= 0)
      throw new AppError(
        "node_admission_failed",
        `the probe task did not start on the node in time (${t?.Status?.State ?? "not scheduled"})`,
        "Check that the node is ready ('yk nodes') and can pull from Yadokari's registry (its CA installed as 'yk nodes:join-command' shows).",
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}
