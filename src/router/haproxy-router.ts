import { mkdirSync, rmSync } from "node:fs";
import { AppError } from "../errors/app-error.js";
import { atomicWrite } from "../lib/atomic-write.js";
import { planLive, type LiveStep } from "./live-plan.js";
import { routerPaths, type RouterPaths } from "./paths.js";
import { sleep } from "./proc.js";
import { configFingerprint, NOT_FOUND_BACKEND, renderConfig, renderHostMap, type RenderOptions } from "./render.js";
import { routedHosts } from "./render-tls.js";
import { RuntimeApiError, RuntimeClient } from "./runtime-client.js";
import { parseServersState, parseServerStats, parseShowBackend, parseShowInfo, parseShowMap } from "./stat-parse.js";
import { HaproxySupervisor } from "./supervisor.js";
import { TlsSelection, writeQuick, writeTlsFiles, type ServedTls } from "./tls-files.js";
import { TlsLive } from "./tls-live.js";
import { planTls } from "./tls-plan.js";
import { renderMap } from "./render-tls.js";
import type { DesiredRouter, RejectedCertificate, RouterPort, ServerStat } from "./types.js";

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
  /** "0.0.0.0:443" in production; undefined: no HTTPS listener. */
  httpsListen?: string;
  /** Where the router reports what it left out (certificates that do not validate). */
  log?: (message: string) => void;
}

/** What the running worker reports about itself (`show info`). */
export interface RouterInfo {
  workerPid: number;
  uptimeSec: number;
  fingerprint: string;
  /** HAProxy's version, e.g. "2.6.12-1+deb12u1" */
  version: string;
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
  private readonly selection = new TlsSelection();
  private readonly tls: TlsLive | null;
  private readonly acmeTokens = new Map<string, string>();
  private readonly log: (message: string) => void;
  private lastRejected: RejectedCertificate[] = [];

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
      ...(opts.httpsListen
        ? {
            https: {
              listen: opts.httpsListen,
              crtList: this.paths.crtList,
              redirectMap: this.paths.redirectMap,
              hstsMap: this.paths.hstsMap,
              acmeMap: this.paths.acmeMap,
            },
          }
        : {}),
    };
    this.tls = opts.httpsListen ? new TlsLive(this.client, this.paths, this.selection) : null;
    this.log = opts.log ?? (() => {});
  }

  apply(desired: DesiredRouter): Promise<void> {
    return this.serialized(async () => {
      const { fingerprint, served } = await this.writeFiles(desired);
      const state = await this.ensureProcess(async () => () => this.tls?.loadedFromFiles(served));
      if (state === "started") return; // it loaded exactly these files
      if ((await this.info()).fingerprint !== fingerprint) {
        await this.supervisor.reload(fingerprint);
        this.tls?.loadedFromFiles(served); // the new worker read every certificate from disk
      }
      await this.syncLive(desired, served);
    });
  }

  /** Answers an ACME HTTP-01 challenge on every host (null stops answering it). */
  async setAcmeChallenge(token: string, keyAuthorization: string | null): Promise<void> {
    if (
      !/^[A-Za-z0-9_-]{1,200}$/.test(token) ||
      (keyAuthorization !== null && !/^[A-Za-z0-9_.-]{1,500}$/.test(keyAuthorization))
    )
      throw new AppError("router_failed", "router: an ACME token and its key authorization must be base64url text");
    if (!this.tls)
      throw new AppError("router_failed", "router: the HTTPS listener is off, so ACME challenges are not answered");
    // In the queue: a token added while a reload is under way could reach the
    // old worker only, after the new one had read the file (seen in tests).
    return this.serialized(() => this.putAcmeToken(token, keyAuthorization));
  }

  private async putAcmeToken(token: string, keyAuthorization: string | null): Promise<void> {
    if (keyAuthorization === null) this.acmeTokens.delete(token);
    else this.acmeTokens.set(token, keyAuthorization);
    // The file too, so that a restarted HAProxy still answers a challenge in flight.
    mkdirSync(this.paths.dir, { recursive: true, mode: 0o700 });
    writeQuick(
      this.paths.acmeMap,
      renderMap("ACME HTTP-01 token -> key authorization", Object.fromEntries(this.acmeTokens)),
    );
    if (!(await this.client.ping())) return; // not running: the file is what a start loads
    const live = parseShowMap(await this.client.send(`show map ${this.paths.acmeMap}`));
    if (keyAuthorization === null) {
      if (live.has(token)) await this.client.run(`del map ${this.paths.acmeMap} ${token}`, "empty");
    } else if (!live.has(token))
      await this.client.run(`add map ${this.paths.acmeMap} ${token} ${keyAuthorization}`, "empty");
    else await this.client.run(`set map ${this.paths.acmeMap} ${token} ${keyAuthorization}`, "empty");
  }

  rejectedCertificates(): RejectedCertificate[] {
    return this.lastRejected;
  }

  /**
   * Adopts or starts HAProxy. Files are written from `desired` only when a
   * new process is started; an adopted one keeps its state until apply().
   */
  ensureRunning(desired: DesiredRouter): Promise<"adopted" | "started" | "running"> {
    return this.serialized(async () => {
      const state = await this.ensureProcess(async () => {
        const { served } = await this.writeFiles(desired);
        return () => this.tls?.loadedFromFiles(served);
      });
      return state;
    });
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

  /**
   * How the running HAProxy differs from `desired` (for `yk doctor`): not
   * answering, another config loaded, hosts or servers not yet applied. Empty
   * when it serves exactly what the store implies. Reads only.
   */
  async drift(desired: DesiredRouter): Promise<string[]> {
    if (!(await this.client.ping())) return [`HAProxy does not answer on ${this.paths.adminSocket}`];
    const out: string[] = [];
    if ((await this.info()).fingerprint !== configFingerprint(desired, this.renderOpts))
      out.push("HAProxy runs another config than the one the store implies (a reload has not happened)");
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
    if (plan.missingBackends.length) out.push(`backends missing: ${plan.missingBackends.join(", ")}`);
    for (const step of plan.steps.slice(0, 10)) out.push(`not applied: ${step.command}`);
    if (plan.steps.length > 10) out.push(`… and ${plan.steps.length - 10} more changes not applied`);
    return out;
  }

  /** The serving worker's pid, uptime and loaded config fingerprint. */
  async info(): Promise<RouterInfo> {
    const info = parseShowInfo(await this.client.send("show info"));
    return {
      workerPid: Number(info.Pid),
      uptimeSec: Number(info.Uptime_sec),
      fingerprint: info.description ?? "",
      version: info.Version ?? "",
    };
  }

  /** Stops the HAProxy this instance started or adopted. Tests use it; production leaves HAProxy running. */
  stop(): Promise<void> {
    return this.serialized(() => this.supervisor.stop());
  }

  private async ensureProcess(
    beforeStart?: () => Promise<(() => void) | void>,
  ): Promise<"adopted" | "started" | "running"> {
    if (await this.supervisor.isRunning()) return "running";
    if (await this.supervisor.adopt()) {
      this.tls?.forget(); // what it serves is read from it at the next sync
      return "adopted";
    }
    const afterStart = await beforeStart?.();
    await this.supervisor.start();
    if (afterStart) afterStart();
    else this.tls?.forget();
    return "started";
  }

  /**
   * Renders and writes every file: the certificates that validate, the
   * crt-list and TLS maps, the host map, then the config after `haproxy -c`.
   * Returns the config fingerprint and what TLS serves.
   */
  private async writeFiles(desired: DesiredRouter): Promise<{ fingerprint: string; served: ServedTls }> {
    const config = renderConfig(desired, this.renderOpts); // validates first: nothing is written for bad input
    mkdirSync(this.paths.dir, { recursive: true, mode: 0o700 });
    const served = this.selection.select(desired, new Date());
    this.report(served.rejected);
    // The map and TLS files first: the config check loads them.
    if (this.tls) writeTlsFiles(this.paths, served, this.acmeTokens);
    await atomicWrite(this.paths.map, renderHostMap(routedHosts(desired)));
    // `haproxy -c` loads every certificate of the crt-list: 0.5 s for 500 of
    // them, at every apply (every deploy step). The certificates were checked
    // already (above, and by HAProxy's own commit at runtime), so the check
    // runs on the same config with an empty crt-list; only that path differs.
    const checked = this.renderOpts.https
      ? renderConfig(desired, {
          ...this.renderOpts,
          https: { ...this.renderOpts.https, crtList: this.paths.crtListCheck },
        })
      : config;
    if (this.renderOpts.https) writeQuick(this.paths.crtListCheck, "");
    await atomicWrite(this.paths.config, config, {
      check: async (tmp) => {
        const file = checked === config ? tmp : `${tmp}.check`;
        if (file !== tmp) writeQuick(file, checked);
        try {
          await this.supervisor.check(file);
        } catch (e) {
          rmSync(tmp, { force: true }); // the refused file must not linger beside the good one
          throw e;
        } finally {
          if (file !== tmp) rmSync(file, { force: true });
        }
      },
    });
    return { fingerprint: configFingerprint(desired, this.renderOpts), served };
  }

  /** Logs certificates newly left out (each reason once, not at every apply). */
  private report(rejected: RejectedCertificate[]): void {
    const before = new Set(this.lastRejected.map((r) => `${r.name}\0${r.reason}`));
    for (const r of rejected)
      if (!before.has(`${r.name}\0${r.reason}`)) this.log(`router: certificate ${r.name} left out: ${r.reason}`);
    this.lastRejected = rejected;
  }

  private async syncLive(desired: DesiredRouter, served: ServedTls): Promise<void> {
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
    if (!this.tls) {
      for (const step of plan.steps) await this.runStep(step);
      return;
    }
    // Certificates first (a redirect never points at a host HAProxy has no
    // certificate for yet), removals last.
    const live = await this.tls.readLive(served);
    const refused = await this.tls.addCertificates(planTls(served, live, this.tls.files).certAdds);
    let final = served;
    if (refused.length > 0) {
      // HAProxy refused a certificate our checks passed: out of the files and the redirects too.
      final = this.selection.select(desired, new Date());
      this.report(final.rejected);
      writeTlsFiles(this.paths, final, this.acmeTokens);
    }
    const tls = planTls(final, live, this.tls.files);
    for (const step of [...tls.mapSets, ...plan.steps, ...tls.mapDeletes]) await this.runStep(step);
    await this.tls.removeCertificates(tls.certRemovals);
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
