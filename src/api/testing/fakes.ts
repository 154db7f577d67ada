import type { Duplex } from "node:stream";
import { FakeEngine } from "../../engines/testing/fake-engine.js";
import type { ImageStore, UnitSpec } from "../../engines/engine.js";
import type { DesiredRouter, RouterPort, ServerStat } from "../../router/types.js";
import { LABEL } from "../../docker/port.js";
import type { EngineNode, EngineTask } from "../../cluster/nodes.js";

const unused = (what: string) => (): never => {
  throw new Error(`the fake Docker engine of the API tests has no ${what}`);
};

/**
 * The engine of the API tests: units recorded and running as the seed
 * started them, images that exist, logs with a timestamp. Once sealed,
 * anything that would create, build or attach throws, so a test that
 * reaches it says so instead of passing quietly.
 */
export class SeededEngine extends FakeEngine {
  private sealed = false;

  constructor() {
    super();
    this.behave = () => ({ lines: ["2026-03-01T10:00:00.000000000Z listening on 5000"] });
    const images = this.images as { -readonly [K in keyof ImageStore]: ImageStore[K] };
    const build = images.build;
    images.exists = async () => true;
    images.build = (context, opts) => (this.sealed ? unused("build")() : build(context, opts));
  }

  /** Docker's id shape: the runs routes take 64 hex digits. */
  protected override idOf(n: number): string {
    return n.toString(16).padStart(64, "c");
  }

  seal(): void {
    this.sealed = true;
  }

  override create(spec: UnitSpec): Promise<string> {
    return this.sealed ? unused("create")() : super.create(spec);
  }

  override attach(): Promise<Duplex> {
    return unused("attach")();
  }
}

/** A router that records what it was asked to be. */
export class FakeRouter implements RouterPort {
  desired: DesiredRouter | null = null;
  async apply(d: DesiredRouter): Promise<void> {
    this.desired = d;
  }
  async ensureRunning(d: DesiredRouter): Promise<"running"> {
    this.desired = d;
    return "running";
  }
  async serverSessions(): Promise<number> {
    return 0;
  }
  async stats(): Promise<ServerStat[]> {
    return [];
  }
  pid(): number | null {
    return null;
  }
}

/**
 * The parts of a swarm manager's Engine API the cluster routes read (info,
 * nodes, tasks, join tokens, node updates): a manager and a worker running
 * one unit of `shop`. With `swarm = false` it is an engine outside any swarm.
 */
export class FakeSwarmEngine {
  swarm = true;
  static readonly MANAGER = "m1x7k2p9q4w8e5r3t6y0u2i4o";
  static readonly WORKER = "w2a8s3d5f7g9h1j4k6l8z0x2c";
  readonly nodes: EngineNode[] = [
    {
      ID: FakeSwarmEngine.MANAGER,
      Version: { Index: 10 },
      Spec: { Role: "manager", Availability: "active", Labels: { "yadokari.admitted": "true" } },
      Description: {
        Hostname: "node-1",
        Platform: { Architecture: "x86_64", OS: "linux" },
        Resources: { NanoCPUs: 2e9, MemoryBytes: 4 * 1024 ** 3 },
        Engine: { EngineVersion: "20.10.24" },
      },
      Status: { State: "ready", Addr: "0.0.0.0" },
      ManagerStatus: { Leader: true, Addr: "10.77.0.11:2377" },
    },
    {
      ID: FakeSwarmEngine.WORKER,
      Version: { Index: 12 },
      Spec: { Role: "worker", Availability: "active", Labels: { zone: "a" } },
      Description: { Hostname: "node-2", Platform: { Architecture: "x86_64", OS: "linux" } },
      Status: { State: "ready", Addr: "10.77.0.12" },
    },
  ];

  constructor(private readonly instance: string) {}

  async info(): Promise<object> {
    if (!this.swarm) return { Swarm: { LocalNodeState: "inactive", ControlAvailable: false } };
    return {
      Swarm: {
        LocalNodeState: "active",
        ControlAvailable: true,
        NodeID: FakeSwarmEngine.MANAGER,
        NodeAddr: "10.77.0.11",
        RemoteManagers: [{ NodeID: FakeSwarmEngine.MANAGER, Addr: "10.77.0.11:2377" }],
      },
    };
  }
  async listNodes(): Promise<EngineNode[]> {
    return this.nodes;
  }
  async listTasks(): Promise<EngineTask[]> {
    const labels = { [LABEL.app]: "shop", [LABEL.instance]: this.instance };
    return [
      { NodeID: FakeSwarmEngine.WORKER, Status: { State: "running" }, Spec: { ContainerSpec: { Labels: labels } } },
    ];
  }
  async swarmInspect(): Promise<object> {
    return {
      JoinTokens: {
        Worker: "SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8at-1ukgk3ot7ixm",
        Manager: "SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8at-9x8c7v6b5n4m",
      },
    };
  }
  getNode(id: string) {
    const node = this.nodes.find((n) => n.ID === id);
    return {
      update: async (spec: { version?: number } & NonNullable<EngineNode["Spec"]>) => {
        if (!node) throw Object.assign(new Error("no such node"), { statusCode: 404 });
        const { version: _version, ...rest } = spec;
        node.Spec = rest;
        node.Version = { Index: (node.Version?.Index ?? 0) + 1 };
      },
      remove: async () => {
        const i = this.nodes.findIndex((n) => n.ID === id);
        if (i < 0) throw Object.assign(new Error("no such node"), { statusCode: 404 });
        this.nodes.splice(i, 1);
      },
    };
  }
}
