import type { ContainerSpec, DockerPort, ObservedContainer } from "../../docker/port.js";
import type { DesiredRouter, RouterPort, ServerStat } from "../../router/types.js";

const unused = (what: string) => () => {
  throw new Error(`the fake Docker engine of the API tests has no ${what}`);
};

/**
 * Containers as a list, images that always exist: enough for the API's read
 * routes. Anything that would start, build or attach throws, so a test that
 * reaches it says so instead of passing quietly.
 */
export class FakeDocker implements DockerPort {
  readonly containers: ObservedContainer[] = [];
  private n = 0;

  addContainer(c: { app: string; process: string; release: number }): ObservedContainer {
    const id = (++this.n).toString(16).padStart(64, "c");
    const o: ObservedContainer = {
      id,
      name: `${c.app}-${c.process}-v${c.release}-${this.n}`,
      app: c.app,
      process: c.process,
      release: c.release,
      state: "running",
      status: "Up 3 minutes",
      ip: `172.18.0.${this.n + 1}`,
      startedAt: new Date(0).toISOString(),
    };
    this.containers.push(o);
    return o;
  }

  async ping(): Promise<void> {}
  async ensureNetwork(): Promise<void> {}
  async imageExists(): Promise<boolean> {
    return true;
  }
  async inspect(id: string): Promise<ObservedContainer | null> {
    return this.containers.find((c) => c.id === id) ?? null;
  }
  async list(filter: { app?: string } = {}): Promise<ObservedContainer[]> {
    return this.containers.filter((c) => !filter.app || c.app === filter.app);
  }
  async stop(): Promise<void> {}
  async remove(id: string): Promise<void> {
    const i = this.containers.findIndex((c) => c.id === id);
    if (i >= 0) this.containers.splice(i, 1);
  }
  async logsTail(): Promise<string> {
    return "2026-03-01T10:00:00.000000000Z listening on 5000\n";
  }
  async followLogs(_id: string, opts: { onLine: (l: string) => void }): Promise<void> {
    opts.onLine("2026-03-01T10:00:00.000000000Z listening on 5000");
  }
  async removeAppImages(): Promise<number> {
    return 0;
  }
  async removeImage(): Promise<boolean> {
    return true;
  }
  async tagImage(_ref: string, repo: string, tag: string): Promise<string> {
    return `${repo}:${tag}`;
  }
  async wait(): Promise<{ exitCode: number } | null> {
    return { exitCode: 0 };
  }
  onEvents(): () => void {
    return () => {};
  }
  async labels(id: string): Promise<Record<string, string> | null> {
    return this.containers.some((c) => c.id === id) ? {} : null;
  }
  async resize(): Promise<void> {}
  async ensureVolume(): Promise<void> {}
  build = unused("build") as DockerPort["build"];
  run = unused("run") as (spec: ContainerSpec) => Promise<{ id: string; ip: string | null }>;
  create = unused("create") as DockerPort["create"];
  start = unused("start") as DockerPort["start"];
  attach = unused("attach") as DockerPort["attach"];
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
