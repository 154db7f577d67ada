import Docker from "dockerode";
import { PassThrough, type Duplex, type Readable } from "node:stream";
import { AppError } from "../errors/app-error.js";
import { LABEL, type ContainerSpec, type DockerEvent, type DockerPort, type ObservedContainer } from "./port.js";
import { splitLines } from "../lib/lines.js";
import { imageRepo } from "../domain/names.js";
import { labelImage } from "./image-label.js";

/** Docker's "not found" and "not modified" answers are expected when cleaning up. */
function statusOf(e: unknown): number | undefined {
  return (e as { statusCode?: number })?.statusCode;
}

function unavailable(e: unknown): AppError {
  return new AppError("docker_unavailable", `the Docker engine did not answer: ${(e as Error).message}`);
}

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

  /** run before any container is created (the storage guard: src/storage/bind-guard.ts) */
  private readonly checkSpec: (spec: ContainerSpec) => void;

  constructor(opts: { instance: string; socketPath?: string; checkSpec?: (spec: ContainerSpec) => void }) {
    this.docker = new Docker({ socketPath: opts.socketPath ?? "/var/run/docker.sock" });
    this.instance = opts.instance;
    this.mine = `${LABEL.instance}=${opts.instance}`;
    this.checkSpec = opts.checkSpec ?? (() => {});
  }

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

  async build(
    context: Readable,
    opts: { tag: string; labels: Record<string, string>; onLine: (line: string) => void; timeoutSec?: number },
  ): Promise<void> {
    // No tag and no labels on the tenant's build: both are added once it succeeded (labelImage).
    const abort = new AbortController();
    const timer = opts.timeoutSec ? setTimeout(() => abort.abort(), opts.timeoutSec * 1000) : undefined;
    const timedOut = () =>
      new AppError("build_timeout", `the build ran longer than the time limit of ${opts.timeoutSec} s and was stopped`);
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.buildImage(context, { rm: true, forcerm: true, abortSignal: abort.signal });
    } catch (e) {
      clearTimeout(timer);
      if (abort.signal.aborted) throw timedOut();
      if (statusOf(e) === undefined) throw unavailable(e);
      throw new AppError("build_failed", `the build could not start: ${(e as Error).message}`);
    }
    const tail: string[] = [];
    let error: string | null = null;
    let imageId: string | null = null;
    try {
      await new Promise<void>((resolve, reject) => {
        this.docker.modem.followProgress(
          stream,
          (err) => (err ? reject(err) : resolve()),
          (ev: { stream?: string; error?: string; status?: string; aux?: { ID?: string } }) => {
            if (ev.aux?.ID) imageId = ev.aux.ID;
            const text = ev.stream ?? ev.status ?? "";
            for (const line of splitLines(text)) {
              opts.onLine(line);
              tail.push(line);
              if (tail.length > 20) tail.shift();
            }
            if (ev.error) {
              error = ev.error;
              opts.onLine(ev.error.trimEnd());
            }
          },
        );
      });
    } catch (e) {
      // Closing the request makes dockerd cancel the build and remove its container.
      if (abort.signal.aborted) throw timedOut();
      throw e;
    } finally {
      clearTimeout(timer);
    }
    if (error)
      throw new AppError("build_failed", `the build failed: ${String(error).trim()}`, undefined, {
        log: tail.join("\n"),
      });
    if (!imageId) throw new AppError("build_failed", "the build ended without an image");
    await labelImage(this.docker, imageId, opts.tag, { ...opts.labels, [LABEL.instance]: this.instance });
  }

  async imageExists(ref: string): Promise<boolean> {
    try {
      await this.docker.getImage(ref).inspect();
      return true;
    } catch (e) {
      if (statusOf(e) === 404) return false;
      throw e;
    }
  }

  async run(spec: ContainerSpec, network: string): Promise<{ id: string; ip: string | null }> {
    this.checkSpec(spec);
    const { name, ...body } = spec;
    const c = await this.docker.createContainer({
      name,
      ...body,
      Labels: { ...body.Labels, [LABEL.instance]: this.instance },
      HostConfig: { ...body.HostConfig },
    });
    await c.start();
    const info = await c.inspect();
    return { id: info.Id, ip: info.NetworkSettings.Networks?.[network]?.IPAddress || null };
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

  async logsTail(id: string, lines: number, timestamps = false): Promise<string> {
    try {
      const buf = (await this.docker
        .getContainer(id)
        .logs({ stdout: true, stderr: true, tail: lines, follow: false, timestamps })) as unknown as Buffer;
      return demuxBuffer(buf).trimEnd();
    } catch (e) {
      if (statusOf(e) === 404) return "";
      throw e;
    }
  }

  async followLogs(
    id: string,
    opts: { tail: number; follow: boolean; timestamps?: boolean; onLine: (line: string) => void; signal: AbortSignal },
  ): Promise<void> {
    const c = this.docker.getContainer(id);
    if (!opts.follow) {
      for (const line of splitLines(await this.logsTail(id, opts.tail, opts.timestamps))) opts.onLine(line);
      return;
    }
    const stream = (await c.logs({
      stdout: true,
      stderr: true,
      tail: opts.tail,
      follow: true,
      timestamps: opts.timestamps ?? false,
    })) as unknown as Readable;
    const out = new PassThrough();
    this.docker.modem.demuxStream(stream, out, out);
    let rest = "";
    out.on("data", (d: Buffer) => {
      const text = rest + d.toString("utf8");
      const parts = text.split("\n");
      rest = parts.pop() ?? "";
      for (const p of parts) opts.onLine(p);
    });
    await new Promise<void>((resolve) => {
      const done = () => {
        (stream as unknown as { destroy?: () => void }).destroy?.();
        resolve();
      };
      stream.on("end", done);
      stream.on("error", done);
      opts.signal.addEventListener("abort", done, { once: true });
    });
  }

  async removeAppImages(app: string): Promise<number> {
    // Its own builds (by label) and the images promoted to it from another app (by name).
    const repo = imageRepo(app);
    const lists = await Promise.all([
      this.docker.listImages({ filters: { label: [this.mine, `${LABEL.app}=${app}`] } }),
      this.docker.listImages({ filters: { label: [this.mine], reference: [repo] } }),
    ]);
    const ids = new Set(lists.flat().map((i) => i.Id));
    let n = 0;
    for (const id of ids) {
      // Inspect, not the list's RepoTags: a list filtered by reference shows only
      // the matching tags, so an image the source app of a promotion still runs
      // would look like this app's alone and be force-removed (a 409 conflict).
      const img = await this.docker
        .getImage(id)
        .inspect()
        .catch((e: unknown) => {
          if (statusOf(e) === 404) return null;
          throw e;
        });
      if (!img) continue;
      const tags = (img.RepoTags ?? []).filter((t) => t !== "<none>:<none>");
      const own = tags.filter((t) => t.startsWith(`${repo}:`));
      // An image another app also runs (a promotion) only loses this app's tags.
      const refs = own.length < tags.length ? own : [img.Id];
      for (const ref of refs) {
        try {
          await this.docker.getImage(ref).remove({ force: refs[0] === img.Id });
          n++;
        } catch (e) {
          if (statusOf(e) === 404) continue;
          if (statusOf(e) !== 409) throw e;
          // A running container or a child image (someone's build FROM it) holds it: the image stays, without
          // this app's tags, and the destroy goes on.
          for (const tag of ref === img.Id ? own : [])
            await this.docker
              .getImage(tag)
              .remove()
              .catch((e2: unknown) => {
                if (statusOf(e2) !== 404 && statusOf(e2) !== 409) throw e2;
              });
        }
      }
    }
    return n;
  }

  async tagImage(ref: string, repo: string, tag: string): Promise<string> {
    await this.docker.getImage(ref).tag({ repo, tag });
    return `${repo}:${tag}`;
  }

  async removeImage(ref: string): Promise<boolean> {
    try {
      await this.docker.getImage(ref).remove({ force: true });
      return true;
    } catch (e) {
      if (statusOf(e) === 404) return false;
      throw e;
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

  onEvents(cb: (e: DockerEvent) => void): () => void {
    let stopped = false;
    let current: Readable | null = null;
    const subscribe = async () => {
      while (!stopped) {
        try {
          const stream = (await this.docker.getEvents({
            filters: { type: ["container"], label: [this.mine] },
          })) as unknown as Readable;
          current = stream;
          let rest = "";
          await new Promise<void>((resolve) => {
            stream.on("data", (d: Buffer) => {
              const parts = (rest + d.toString("utf8")).split("\n");
              rest = parts.pop() ?? "";
              for (const p of parts) {
                if (!p.trim()) continue;
                try {
                  const ev = JSON.parse(p) as {
                    Action: string;
                    id: string;
                    Actor?: { Attributes?: Record<string, string> };
                  };
                  cb({ action: ev.Action, id: ev.id, app: ev.Actor?.Attributes?.[LABEL.app] ?? null });
                } catch {
                  /* a partial event line: skip it */
                }
              }
            });
            stream.on("end", resolve);
            stream.on("error", resolve);
            stream.on("close", resolve);
          });
        } catch {
          /* dockerd is down: retry below */
        }
        if (!stopped) await new Promise((r) => setTimeout(r, 1000));
      }
    };
    void subscribe();
    return () => {
      stopped = true;
      (current as unknown as { destroy?: () => void } | null)?.destroy?.();
    };
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

  async labels(id: string): Promise<Record<string, string> | null> {
    try {
      return (await this.docker.getContainer(id).inspect()).Config.Labels ?? {};
    } catch (e) {
      if (statusOf(e) === 404) return null;
      throw e;
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

/** Docker multiplexes stdout and stderr of a non-TTY container in 8-byte-header frames. */
export function demuxBuffer(buf: Buffer): string {
  if (!Buffer.isBuffer(buf)) return String(buf);
  const out: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const type = buf[i];
    if (type > 2 || buf[i + 1] !== 0) return buf.toString("utf8"); // not multiplexed
    const len = buf.readUInt32BE(i + 4);
    out.push(buf.subarray(i + 8, i + 8 + len));
    i += 8 + len;
  }
  return Buffer.concat(out).toString("utf8");
}
