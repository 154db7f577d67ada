import Docker from "dockerode";
import type { Duplex } from "node:stream";
import { AppError } from "../errors/app-error.js";
import { LABEL, type ContainerSpec, type DockerPort, type ObservedContainer } from "./port.js";
import { statusOf, unavailable } from "./docker-errors.js";
import { DockerImages } from "./images.js";
import { DockerLogs } from "./logs.js";
import { DockerEvents } from "./events.js";

const releaseOf = (labels: Record<string, string>) => Number((labels[LABEL.release] ?? "v0").replace(/^v/, "")) || 0;

/**
 * The Docker Engine API behind DockerPort. Everything it creates is stamped
 * with this server's instance id, and everything it lists is filtered by it,
 * so a server never touches what another Yadokari (or a user) created.
 */
export class DockerodeAdapter implements DockerPort {
  readonly docker: Docker;
  private readonly instance: string;
  /** the label filter that selects what this server created */
  private readonly mine: string;

  private readonly images: DockerImages;
  private readonly logs: DockerLogs;
  private readonly events: DockerEvents;

  /** run before any container is created (the storage guard: src/storage/bind-guard.ts) */
  private readonly checkSpec: (spec: ContainerSpec) => void;

  constructor(opts: { instance: string; socketPath?: string; checkSpec?: (spec: ContainerSpec) => void }) {
    this.docker = new Docker({ socketPath: opts.socketPath ?? "/var/run/docker.sock" });
    this.instance = opts.instance;
    this.mine = `${LABEL.instance}=${opts.instance}`;
    this.checkSpec = opts.checkSpec ?? (() => {});
    this.images = new DockerImages(this.docker, this.instance, this.mine);
    this.logs = new DockerLogs(this.docker);
    this.events = new DockerEvents(this.docker, this.mine);
  }

  // images (./images.ts)
  build: DockerPort["build"] = (context, opts) => this.images.build(context, opts);
  imageExists: DockerPort["imageExists"] = (ref) => this.images.imageExists(ref);
  removeAppImages: DockerPort["removeAppImages"] = (app) => this.images.removeAppImages(app);
  tagImage: DockerPort["tagImage"] = (ref, repo, tag) => this.images.tagImage(ref, repo, tag);
  removeImage: DockerPort["removeImage"] = (ref) => this.images.removeImage(ref);
  // logs (./logs.ts) and events (./events.ts)
  logsTail: DockerPort["logsTail"] = (id, lines, timestamps) => this.logs.logsTail(id, lines, timestamps);
  followLogs: DockerPort["followLogs"] = (id, opts) => this.logs.followLogs(id, opts);
  onEvents: DockerPort["onEvents"] = (cb) => this.events.onEvents(cb);

  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (e) {
      throw unavailable(e);
    }
  }

  async ensureNetwork(name: string): Promise<void> {
    const found = await this.docker.listNetworks({ filters: { name: [name] } });
    if (found.some((n) => n.Name === name)) return;
    try {
      await this.docker.createNetwork({
        Name: name,
        Driver: "bridge",
        CheckDuplicate: true,
        Labels: { [LABEL.managed]: "true", [LABEL.kind]: "network" },
      });
    } catch (e) {
      if (statusOf(e) !== 409) throw e; // created concurrently
    }
  }

  async inspect(id: string): Promise<ObservedContainer | null> {
    try {
      const info = await this.docker.getContainer(id).inspect();
      const nets = info.NetworkSettings.Networks ?? {};
      const ip =
        Object.values(nets)
          .map((n) => n.IPAddress)
          .find((a) => a) ?? null;
      const labels = info.Config.Labels ?? {};
      return {
        id: info.Id,
        name: info.Name.replace(/^\//, ""),
        app: labels[LABEL.app] ?? "",
        process: labels[LABEL.process] ?? "",
        release: releaseOf(labels),
        state: info.State.Status,
        status: info.State.Status,
        ip,
        startedAt: info.State.StartedAt ?? null,
        // A container waiting for Docker's restart (policy unless-stopped) is Running and Restarting: it exited.
        exitCode: info.State.Running && !info.State.Restarting ? null : info.State.ExitCode,
        labels,
        image: info.Config.Image,
      };
    } catch (e) {
      if (statusOf(e) === 404) return null;
      throw e;
    }
  }

  async list(filter: { app?: string } = {}): Promise<ObservedContainer[]> {
    const label = filter.app ? [this.mine, `${LABEL.app}=${filter.app}`] : [this.mine, LABEL.app];
    let rows: Docker.ContainerInfo[];
    try {
      rows = await this.docker.listContainers({ all: true, filters: { label } });
    } catch (e) {
      throw statusOf(e) === undefined ? unavailable(e) : e;
    }
    return rows.map((r) => ({
      id: r.Id,
      name: (r.Names[0] ?? "").replace(/^\//, ""),
      app: r.Labels[LABEL.app] ?? "",
      process: r.Labels[LABEL.process] ?? "",
      release: releaseOf(r.Labels),
      state: r.State,
      status: r.Status,
      ip:
        Object.values(r.NetworkSettings?.Networks ?? {})
          .map((n) => n.IPAddress)
          .find((a) => a) ?? null,
      startedAt: r.Created ? new Date(r.Created * 1000).toISOString() : null,
      labels: r.Labels,
      image: r.Image,
    }));
  }

  async stop(id: string, timeoutSec: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: timeoutSec });
    } catch (e) {
      if (statusOf(e) !== 304 && statusOf(e) !== 404) throw e;
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true });
    } catch (e) {
      if (statusOf(e) !== 404 && statusOf(e) !== 409) throw e; // gone, or removal already in progress
    }
  }

  async wait(id: string, timeoutMs: number): Promise<{ exitCode: number } | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((r) => (timer = setTimeout(() => r(null), timeoutMs)));
    try {
      const done = this.docker
        .getContainer(id)
        .wait()
        .then((r: { StatusCode: number }) => ({ exitCode: r.StatusCode }));
      return await Promise.race([done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async create(spec: ContainerSpec): Promise<{ id: string }> {
    this.checkSpec(spec);
    const { name, ...body } = spec;
    const c = await this.docker.createContainer({
      name,
      ...body,
      Labels: { ...body.Labels, [LABEL.instance]: this.instance },
      HostConfig: { ...body.HostConfig },
    });
    return { id: c.id };
  }

  /** Throws AppError run_failed when Docker cannot start it (e.g. the program is not in the image), with the exit code a shell would give. */
  async start(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (e) {
      const status = statusOf(e);
      if (status === undefined) throw unavailable(e);
      if (status === 304) return; // already started
      const why = ((e as { json?: { message?: string } }).json?.message ?? (e as Error).message).trim();
      // Docker's CLI convention: 127 the program was not found, 126 it cannot be executed, 125 anything else.
      const exitCode = /not found|no such file/i.test(why)
        ? 127
        : /permission denied|exec format/i.test(why)
          ? 126
          : 125;
      throw new AppError("run_failed", `the container could not start: ${why}`, undefined, { exitCode });
    }
  }

  async attach(id: string): Promise<Duplex> {
    return (await this.docker
      .getContainer(id)
      .attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as Duplex;
  }

  async resize(id: string, rows: number, cols: number): Promise<void> {
    try {
      await this.docker.getContainer(id).resize({ h: rows, w: cols });
    } catch (e) {
      if (statusOf(e) !== 404 && statusOf(e) !== 409 && statusOf(e) !== 500) throw e; // gone, or not running (yet or any more)
    }
  }

  async ensureVolume(name: string, labels: Record<string, string>, opts: { share?: boolean } = {}): Promise<void> {
    let found: Docker.VolumeInspectInfo | null = null;
    try {
      found = await this.docker.getVolume(name).inspect();
    } catch (e) {
      if (statusOf(e) !== 404) throw statusOf(e) === undefined ? unavailable(e) : e;
    }
    if (found) {
      // A volume is the app's when this server created it for the app; anyone else's only by an admin's choice.
      const l = found.Labels ?? {};
      if (opts.share || (l[LABEL.instance] === this.instance && l[LABEL.app] === labels[LABEL.app])) return;
      throw new AppError(
        "invalid_mount",
        l[LABEL.app] && l[LABEL.instance] === this.instance
          ? `storage: the volume ${name} belongs to another app (${l[LABEL.app]})`
          : `storage: the volume ${name} exists and was not created by Yadokari for ${labels[LABEL.app] ?? "this app"}`,
        "Pick another volume name; an admin can share a volume deliberately (shared: true).",
      );
    }
    await this.docker.createVolume({ Name: name, Labels: { ...labels, [LABEL.instance]: this.instance } });
  }
}
