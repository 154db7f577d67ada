import { mkdirSync, rmSync } from "node:fs";
import { AppError } from "../errors/app-error.js";
import { atomicWrite } from "../lib/atomic-write.js";
import { planLive, type LiveStep } from "./live-plan.js";
import { routerPaths, type RouterPaths } from "./paths.js";
import { sleep } from "./proc.js";
import { configFingerprint, NOT_FOUND_BACKEND, renderConfig, renderHostMap, type RenderOptions } from "./render.js";
import { RuntimeApiError, RuntimeClient } from "./runtime-client.js";
import { parseServersState, parseServerStats, parseShowBackend, parseShowInfo, parseShowMap } from "./stat-parse.js";
import { HaproxySupervisor } from "./supervisor.js";
import type { DesiredRouter, RouterPort, ServerStat } from "./types.js";

export interface HaproxyRouterOptions {
  /** Holds haproxy.cfg, hosts.map, haproxy.pid, admin.sock, master.sock, haproxy.log (e.g. <data-dir>/router). */
  dir: string;
  /** "0.0.0.0:80" in production. */
  httpListen: string;
  haproxyBin?: string;
  accessLog?: RenderOptions["accessLog"];
  hardStopAfter?: string;
  maxconn?: number;
  /** Per runtime API command. */
  commandTimeoutMs?: number;
}

/** What the running worker reports about itself (`show info`). */
export interface RouterInfo {
  workerPid: number;
  uptimeSec: number;
  fingerprint: string;
}

/**
 * The router as the rest of Yadokari sees it. Every apply() writes the whole
 * config (so a restart comes back to the same state), reloads only when the
 * config's structure changed (backends, listen address), and makes every
 * other change (hosts, servers, weights, drains) through the runtime API,
 * which loses no request. apply() and ensureRunning() run one at a time:
 * two live diffs computed concurrently would undo each other.
 */
export class HaproxyRouter implements RouterPort {
  readonly paths: RouterPaths;
  private readonly client: RuntimeClient;
  private readonly supervisor: HaproxySupervisor;
  private readonly renderOpts: RenderOptions;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(opts: HaproxyRouterOptions) {
    this.paths = routerPaths(opts.dir);
    this.client = new RuntimeClient(this.paths.adminSocket, opts.commandTimeoutMs ?? 5000);
    this.supervisor = new HaproxySupervisor({
      bin: opts.haproxyBin ?? "/usr/sbin/haproxy",
      paths: this.paths,
      client: this.client,
    });
    this.renderOpts = {
      httpListen: opts.httpListen,
      adminSocket: this.paths.adminSocket,
      mapFile: this.paths.map,
      pidFile: this.paths.pid,
      accessLog: opts.accessLog,
      hardStopAfter: opts.hardStopAfter,
      maxconn: opts.maxconn,
    };
  }

  apply(desired: DesiredRouter): Promise<void> {
    return this.serialized(async () => {
      const fingerprint = await this.writeFiles(desired);
      if ((await this.ensureProcess()) === "started") return; // it loaded exactly these files
      if ((await this.info()).fingerprint !== fingerprint) await this.supervisor.reload(fingerprint);
      await this.syncLive(desired);
    });
  }

  /**
   * Adopts or starts HAProxy. Files are written from `desired` only when a
   * new process is started; an adopted one keeps its state until apply().
   */
  ensureRunning(desired: DesiredRouter): Promise<"adopted" | "started" | "running"> {
    return this.serialized(() => this.ensureProcess(() => this.writeFiles(desired)));
  }

  async serverSessions(backend: string, server: string): Promise<number> {
    const s = (await this.stats()).find((x) => x.backend === backend && x.server === server);
    return s ? s.scur + s.qcur : 0;
  }

  async stats(): Promise<ServerStat[]> {
    // -1 4 -1: every proxy, servers only.
    return parseServerStats(await this.client.send("show stat -1 4 -1")).filter((s) => s.backend !== NOT_FOUND_BACKEND);
  }

  pid(): number | null {
    return this.supervisor.pid();
  }

  /** The serving worker's pid, uptime and loaded config fingerprint. */
  async info(): Promise<RouterInfo> {
    const info = parseShowInfo(await this.client.send("show info"));
    return { workerPid: Number(info.Pid), uptimeSec: Number(info.Uptime_sec), fingerprint: info.description ?? "" };
  }

  /** Stops the HAProxy this instance started or adopted. Tests use it; production leaves HAProxy running. */
  stop(): Promise<void> {
    return this.serialized(() => this.supervisor.stop());
  }

  private async ensureProcess(beforeStart?: () => Promise<unknown>): Promise<"adopted" | "started" | "running"> {
    if (await this.supervisor.isRunning()) return "running";
    if (await this.supervisor.adopt()) return "adopted";
    await beforeStart?.();
    await this.supervisor.start();
    return "started";
  }

  /** Renders both files, writes the map, then the config after `haproxy -c`. Returns the config fingerprint. */
  private async writeFiles(desired: DesiredRouter): Promise<string> {
    const config = renderConfig(desired, this.renderOpts); // validates first: nothing is written for bad input
    mkdirSync(this.paths.dir, { recursive: true, mode: 0o700 });
    // The map first: the config check loads it.
    await atomicWrite(this.paths.map, renderHostMap(desired.hosts));
    await atomicWrite(this.paths.config, config, {
      check: (tmp) =>
        this.supervisor.check(tmp).catch((e: unknown) => {
          rmSync(tmp, { force: true }); // the refused file must not linger beside the good one
          throw e;
        }),
    });
    return configFingerprint(desired, this.renderOpts);
  }

  private async syncLive(desired: DesiredRouter): Promise<void> {
    const [mapText, stateText, backendText] = await Promise.all([
      this.client.send(`show map ${this.paths.map}`),
      this.client.send("show servers state"),
      this.client.send("show backend"),
    ]);
    const plan = planLive(
      desired,
      { map: parseShowMap(mapText), servers: parseServersState(stateText), backends: parseShowBackend(backendText) },
      this.paths.map,
    );
    if (plan.missingBackends.length > 0) {
      throw new AppError(
        "router_failed",
        `router: HAProxy is running without backends ${plan.missingBackends.join(", ")} after loading the new config`,
        `Read ${this.paths.log}.`,
      );
    }
    for (const step of plan.steps) await this.runStep(step);
  }

  /** `del server` is refused while a connection is still closing: retry for up to about 3 s. */
  private async runStep(step: LiveStep): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.run(step.command, step.expect);
        return;
      } catch (e) {
        if (!step.retry || attempt >= 30 || !(e instanceof RuntimeApiError) || e.kind !== "rejected") throw e;
        await sleep(100);
      }
    }
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
