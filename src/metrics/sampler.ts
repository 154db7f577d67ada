import type { Store } from "../store/store.js";
import type { RouterPort } from "../router/types.js";
import { backendName } from "../domain/names.js";
import { addValue } from "./histogram.js";
import { LogTail, parseAccessLine, type AccessEntry } from "./access-log.js";
import { latencyByRelease, MetricsSeries, type Figures, type Owner } from "./series.js";

export interface MetricsOptions {
  /** the router's JSON access log, for percentiles; null when it is off */
  accessLog: string | null;
  intervalMs: number;
  retentionMs: number;
}

/**
 * Samples the router's per-server counters (and the access log's response
 * times) into a bounded in-memory series per app and release: every
 * `intervalMs`, and whenever a canary asks for a fresh figure. Kept for a
 * little over an hour; a server restart starts it afresh.
 */
export class RouterMetrics {
  readonly series: MetricsSeries;
  private readonly tail: LogTail | null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** release id → version (releases are immutable) */
  private readonly versions = new Map<number, number>();

  constructor(
    private readonly deps: {
      store: Store;
      router: Pick<RouterPort, "stats">;
      log: (m: string) => void;
      now?: () => number;
    },
    readonly opts: MetricsOptions,
  ) {
    this.series = new MetricsSeries({ retentionMs: opts.retentionMs, maxPoints: Math.ceil(opts.retentionMs / 200) });
    this.tail = opts.accessLog ? new LogTail(opts.accessLog) : null;
  }

  start(): void {
    this.tail?.read(); // start at the end of the log
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.opts.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** Takes a sample now (one at a time: a caller during a sample waits for it, then takes its own). */
  async sample(): Promise<void> {
    while (this.running) await this.running;
    this.running = this.take().finally(() => (this.running = null));
    return this.running;
  }

  private async take(): Promise<void> {
    let stats;
    try {
      stats = await this.deps.router.stats();
    } catch (e) {
      this.deps.log(`metrics: ${(e as Error).message}`);
      return;
    }
    const owner = this.owner();
    const entries: AccessEntry[] = [];
    if (this.tail) {
      try {
        for (const l of this.tail.read()) {
          const e = parseAccessLine(l);
          if (e) entries.push(e);
        }
      } catch (e) {
        this.deps.log(`metrics: access log: ${(e as Error).message}`);
      }
    }
    this.series.ingest(this.now(), stats, owner, latencyByRelease(entries, owner, addValue));
  }

  /** Router server → app and release, from the store's routed servers. */
  private owner(): Owner {
    const versions = this.versions;
    const byServer = new Map<string, { app: string; release: number }>();
    for (const s of this.deps.store.routedServers()) {
      if (!versions.has(s.releaseId)) {
        const v = this.deps.store.getRelease(s.releaseId)?.version;
        if (v === undefined) continue;
        versions.set(s.releaseId, v);
      }
      byServer.set(`${backendName(s.app, s.process)}/${s.name}`, { app: s.app, release: versions.get(s.releaseId)! });
    }
    return (backend, server) => byServer.get(`${backend}/${server}`) ?? null;
  }

  figures(app: string, release: number, fromMs: number, toMs = Infinity): Figures {
    return this.series.figures(app, release, fromMs, toMs);
  }
}
