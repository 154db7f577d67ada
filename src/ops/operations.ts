import type { EngineContext } from "../engine/context.js";
import type { HaproxyRouter } from "../router/haproxy-router.js";
import { desiredFormation } from "../engine/reconciler.js";
import { desiredFromStore } from "../engine/router-sync.js";
import { servingApps, type AppServing, type AppWant } from "./serving.js";
import { SCHEMA_VERSION } from "../store/db.js";
import type { DrainGate } from "./drain.js";

export interface DockerVersion {
  version: string;
  apiVersion: string;
}

export interface StatusView {
  server: {
    pid: number;
    version: string;
    schemaVersion: number;
    startedAt: string;
    uptimeSec: number;
    dataDir: string;
    /** stopping: takes no new deploys */
    draining: boolean;
  };
  router: {
    pid: number | null;
    running: boolean;
    workerPid: number | null;
    uptimeSec: number | null;
    version: string | null;
  };
  docker: { reachable: boolean; version: string | null; apiVersion: string | null; error: string | null };
  apps: { expected: number; serving: number; notServing: { app: string; missing: string[] }[] };
  coldStart: ColdStartView;
}

export interface ColdStartView {
  /** the apps that had to serve when the server started */
  expected: number | null;
  /** ms from the server's start until every app served; null while some do not (yet) */
  durationMs: number | null;
  finishedAt: string | null;
}

/** What status and doctor ask the router (HaproxyRouter). */
export type RouterProcess = Pick<HaproxyRouter, "pid" | "info" | "drift">;

export interface OperationsDeps {
  ctx: EngineContext;
  router: RouterProcess;
  dockerVersion: () => Promise<DockerVersion>;
  version: string;
  drain: DrainGate;
  /** when this process started (ms since the epoch) */
  startedAtMs: number;
}

/**
 * What an operator asks about the running platform: `yk status` (what runs,
 * versions, apps serving / expected, how long the cold start took).
 */
export class Operations {
  private cold: ColdStartView = { expected: null, durationMs: null, finishedAt: null };
  private coldTimer: NodeJS.Timeout | null = null;

  constructor(private readonly d: OperationsDeps) {}

  /** Which apps serve now: live release at its formation, web routed. */
  async serving(): Promise<AppServing[]> {
    const { store, units } = this.d.ctx;
    const wants: AppWant[] = store.listApps().map((a) => {
      const live = a.liveReleaseId ? (store.getRelease(a.liveReleaseId) ?? undefined) : undefined;
      return { name: a.name, liveVersion: live?.version ?? null, formation: desiredFormation(a, live) };
    });
    return servingApps(wants, await units.list({ kind: "process" }), store.routedServers());
  }

  /**
   * The cold-start clock: from the server's start until every app that should
   * serve does (after a reboot, Docker restarts the containers it had and the
   * reconciler starts the rest, web first). Logged once, shown by status.
   * Gives up watching after `maxMs` and logs what was still missing.
   */
  watchColdStart(opts: { everyMs?: number; maxMs?: number } = {}): void {
    const every = opts.everyMs ?? 250;
    const deadline = this.d.startedAtMs + (opts.maxMs ?? 30 * 60_000);
    const tick = async () => {
      this.coldTimer = null;
      let apps: AppServing[];
      try {
        apps = await this.serving();
      } catch {
        apps = [];
        if (Date.now() < deadline) return void (this.coldTimer = setTimeout(tick, every).unref());
      }
      this.cold.expected ??= apps.length;
      const missing = apps.filter((a) => !a.serving);
      if (missing.length === 0) {
        const now = Date.now();
        this.cold = {
          expected: apps.length,
          durationMs: now - this.d.startedAtMs,
          finishedAt: new Date(now).toISOString(),
        };
        this.d.ctx.log(
          `cold start: ${apps.length} app${apps.length === 1 ? "" : "s"} serving ${(this.cold.durationMs! / 1000).toFixed(1)} s after the server started`,
        );
        return;
      }
      if (Date.now() >= deadline) {
        this.d.ctx.log(
          `cold start: ${missing.length} of ${apps.length} apps still not serving: ${missing
            .slice(0, 10)
            .map((a) => `${a.app} (${a.missing.join(", ")})`)
            .join("; ")}`,
        );
        return;
      }
      this.coldTimer = setTimeout(tick, every).unref();
    };
    void tick();
  }

  stop(): void {
    if (this.coldTimer) clearTimeout(this.coldTimer);
  }

  async status(): Promise<StatusView> {
    const { router, version, drain, startedAtMs, ctx } = this.d;
    const docker: StatusView["docker"] = { reachable: false, version: null, apiVersion: null, error: null };
    try {
      const v = await this.d.dockerVersion();
      Object.assign(docker, { reachable: true, version: v.version, apiVersion: v.apiVersion });
    } catch (e) {
      docker.error = (e as Error).message;
    }
    const routerView: StatusView["router"] = {
      pid: router.pid(),
      running: false,
      workerPid: null,
      uptimeSec: null,
      version: null,
    };
    try {
      const info = await router.info();
      Object.assign(routerView, {
        running: true,
        workerPid: info.workerPid,
        uptimeSec: info.uptimeSec,
        version: info.version || null,
      });
    } catch {
      /* not answering: running stays false */
    }
    let apps: AppServing[] = [];
    if (docker.reachable) apps = await this.serving().catch(() => []);
    const notServing = apps.filter((a) => !a.serving).map((a) => ({ app: a.app, missing: a.missing }));
    return {
      server: {
        pid: process.pid,
        version,
        schemaVersion: SCHEMA_VERSION,
        startedAt: new Date(startedAtMs).toISOString(),
        uptimeSec: Math.round((Date.now() - startedAtMs) / 1000),
        dataDir: ctx.dataDir,
        draining: drain.draining,
      },
      router: routerView,
      docker,
      apps: { expected: apps.length, serving: apps.length - notServing.length, notServing },
      coldStart: { ...this.cold },
    };
  }

  /** For doctor: the router's differences from the store. */
  routerDrift(): Promise<string[]> {
    return this.d.router.drift(desiredFromStore(this.d.ctx));
  }
}
