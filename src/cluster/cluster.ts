import type Docker from "dockerode";
import { AppError } from "../errors/app-error.js";
import { checkNode, type AdmissionOptions } from "./admission.js";
import { joinInstructions, type JoinInstructions } from "./join-command.js";
import { nodeViews, parseNodeLabels, resolveNode, type EngineNode, type NodeView } from "./nodes.js";
import { ADMITTED_LABEL } from "./service-spec.js";

const statusOf = (e: unknown) => (e as { statusCode?: number })?.statusCode;

export interface ClusterOptions {
  /** this server's instance id: unit counts show its apps only */
  instance: string;
  /** Yadokari's registry, when one runs: join-command tells new hosts to trust its CA */
  registry?: () => { host: string; caPem: string } | null;
  /** the probe images of the admission check */
  admission?: () => AdmissionOptions;
}

/**
 * The swarm's nodes, through the manager's Engine API: list with units per
 * app, labels, availability (drain, activate), removal, the join command, and
 * admission. `nodes:drain` here is Swarm's drain (its tasks are rescheduled);
 * the zero-downtime drain (new units gated and routed before the node's are
 * drained from HAProxy) comes with the Swarm engine.
 */
export class Cluster {
  constructor(
    private readonly docker: Docker,
    private readonly opts: ClusterOptions,
  ) {}

  /** Throws not_a_swarm unless the engine is a reachable swarm manager. */
  async ensureManager(): Promise<void> {
    let info: { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
    try {
      info = (await this.docker.info()) as typeof info;
    } catch (e) {
      throw new AppError("docker_unavailable", `the Docker engine did not answer: ${(e as Error).message}`);
    }
    if (info.Swarm?.LocalNodeState !== "active")
      throw new AppError("not_a_swarm", "the Docker engine is not part of a swarm");
    if (!info.Swarm.ControlAvailable)
      throw new AppError("not_a_swarm", "the Docker engine is a swarm worker, not a manager");
  }

  async nodes(): Promise<NodeView[]> {
    await this.ensureManager();
    const [nodes, tasks] = await Promise.all([
      this.docker.listNodes() as Promise<EngineNode[]>,
      this.docker.listTasks({ filters: { "desired-state": ["running"] } }),
    ]);
    return nodeViews(nodes, tasks as never, this.opts.instance);
  }

  async node(ref: string): Promise<NodeView> {
    const n = await this.find(ref);
    return (await this.nodes()).find((v) => v.id === n.ID)!;
  }

  /** `nodes:label NODE key=value… key-` */
  async label(ref: string, args: unknown): Promise<NodeView> {
    const { set, remove } = parseNodeLabels(args);
    await this.updateSpec(ref, (spec) => {
      const labels = { ...(spec.Labels ?? {}), ...set };
      for (const k of remove) delete labels[k];
      return { ...spec, Labels: labels };
    });
    return this.node(ref);
  }

  /** Swarm's drain: no new tasks, running ones rescheduled elsewhere. */
  async drain(ref: string): Promise<NodeView> {
    await this.updateSpec(ref, (spec) => ({ ...spec, Availability: "drain" }));
    return this.node(ref);
  }

  async activate(ref: string): Promise<NodeView> {
    await this.updateSpec(ref, (spec) => ({ ...spec, Availability: "active" }));
    return this.node(ref);
  }

  /** Removes a node that is down (or any worker with force); a manager must be demoted first. */
  async remove(ref: string, force: boolean): Promise<{ removed: string }> {
    const n = await this.find(ref);
    if (n.Spec?.Role === "manager")
      throw new AppError(
        "node_not_down",
        `node ${n.ID} is a manager`,
        "Demote it first ('docker node demote NODE' on a manager), then remove it.",
      );
    if (n.Status?.State !== "down" && !force)
      throw new AppError("node_not_down", `node ${n.ID} is ${n.Status?.State ?? "up"}, not down`);
    try {
      await this.docker.getNode(n.ID).remove({ force });
    } catch (e) {
      if (statusOf(e) === 404) throw new AppError("not_found", `no node ${ref} in the swarm`);
      throw e;
    }
    return { removed: n.ID };
  }

  async joinCommand(role: "worker" | "manager"): Promise<JoinInstructions> {
    await this.ensureManager();
    const swarm = (await this.docker.swarmInspect()) as { JoinTokens: { Worker: string; Manager: string } };
    const info = (await this.docker.info()) as {
      Swarm: { NodeAddr?: string; RemoteManagers?: { NodeID: string; Addr: string }[]; NodeID?: string };
    };
    const self = info.Swarm.RemoteManagers?.find((m) => m.NodeID === info.Swarm.NodeID);
    const managerAddr = self?.Addr ?? `${info.Swarm.NodeAddr}:2377`;
    return joinInstructions({
      role,
      token: role === "manager" ? swarm.JoinTokens.Manager : swarm.JoinTokens.Worker,
      managerAddr,
      registry: this.opts.registry?.() ?? null,
    });
  }

  /** The admission check, then the label that lets our services place units there. */
  async admit(ref: string): Promise<NodeView> {
    const n = await this.find(ref);
    if (n.Status?.State !== "ready")
      throw new AppError("node_admission_failed", `node ${n.ID} is ${n.Status?.State}, not ready`);
    const admission = this.opts.admission?.();
    if (!admission) throw new AppError("node_admission_failed", "no probe image is configured for the admission check");
    await checkNode(this.docker, n.ID, admission);
    await this.updateSpec(n.ID, (spec) => ({ ...spec, Labels: { ...(spec.Labels ?? {}), [ADMITTED_LABEL]: "true" } }));
    return this.node(n.ID);
  }

  private async find(ref: string): Promise<EngineNode> {
    await this.ensureManager();
    return resolveNode((await this.docker.listNodes()) as EngineNode[], ref);
  }

  /** Read-modify-write of a node's spec at its version; a concurrent change (409/500 "out of sequence") is retried. */
  private async updateSpec(
    ref: string,
    change: (spec: NonNullable<EngineNode["Spec"]>) => NonNullable<EngineNode["Spec"]>,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const n = await this.find(ref);
      try {
        await this.docker.getNode(n.ID).update({ version: n.Version?.Index, ...change(n.Spec ?? {}) });
        return;
      } catch (e) {
        const msg = (e as Error).message;
        if (attempt < 3 && /out of sequence|update out of/i.test(msg)) continue;
        throw e;
      }
    }
  }
}
