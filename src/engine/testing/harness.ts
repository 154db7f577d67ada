import { DEFAULT_QUOTAS } from "../../domain/quotas.js";
import { DEFAULT_BUILD_TIMEOUT_SEC, DEFAULT_MAX_CONTEXT_BYTES, DEFAULT_MAX_ENTRIES } from "../../build/settings.js";
import { DEFAULT_BASE_IMAGES } from "../../build/dockerfile-policy.js";
import { DEFAULT_PIDS_LIMIT } from "../../docker/hardening.js";
import assert from "node:assert/strict";
import { openDb } from "../../store/db.js";
import { Store } from "../../store/store.js";
import { Keyring } from "../../secrets/keyring.js";
import { UnitRepo } from "../../store/units-repo.js";
import { FakeEngine } from "../../engines/testing/fake-engine.js";
import { Units } from "../units.js";
import { OneOffs } from "../one-offs.js";
import { AppLocks } from "../app-locks.js";
import { DeployLogs } from "../deploy-log.js";
import { CanaryStore } from "../../canary/canary-store.js";
import { Deployer } from "../deployer.js";
import { Reconciler } from "../reconciler.js";
import type { EngineContext } from "../context.js";
import type { DesiredRouter, RouterPort } from "../../router/types.js";
import type { ReleaseContent } from "../lifecycle/intent.js";
import { DEFAULT_HEALTHCHECK } from "../../manifest/app-json.js";
import { EMPTY_MANIFEST, type Deploy } from "../../domain/types.js";
import { summarize, type Figures } from "../../metrics/series.js";
import type { UnitSpec } from "../../engines/engine.js";

/** A router that records every desired state it is given, and can be made to fail. */
export class FakeRouter implements RouterPort {
  readonly applied: DesiredRouter[] = [];
  failing = false;
  /** in-flight requests per server name (draining waits for 0) */
  sessions = new Map<string, number>();
  /** called with every desired state, before it is recorded (tests check invariants there) */
  onApply: (d: DesiredRouter) => void = () => {};
  async apply(desired: DesiredRouter): Promise<void> {
    if (this.failing) throw new Error("the router's admin socket refused the change");
    this.onApply(desired);
    this.applied.push(structuredClone(desired));
  }
  async ensureRunning(): Promise<"running"> {
    return "running";
  }
  async serverSessions(_backend: string, server: string): Promise<number> {
    return this.sessions.get(server) ?? 0;
  }
  async stats() {
    return [];
  }
  pid(): number | null {
    return 1;
  }
  last(): DesiredRouter | undefined {
    return this.applied.at(-1);
  }
  /** The servers of an app's web backend in the last desired state. */
  servers(app: string) {
    return this.last()?.backends.find((b) => b.name === `app_${app}_web`)?.servers ?? [];
  }
}

/** Router figures per release version, as a canary's hold reads them. */
export class FakeMetrics {
  /** version → error rate (0..1) of its requests */
  errorRate = new Map<number, number>();
  async sample(): Promise<void> {}
  figures(_app: string, version: number): Figures {
    const rate = this.errorRate.get(version) ?? 0;
    const requests = 1000;
    const errors = Math.round(requests * rate);
    return { ...summarize([]), requests, errors5xx: errors, errorRate: rate, latencySamples: 0, p95Ms: null };
  }
}

export interface Harness {
  ctx: EngineContext;
  store: Store;
  engine: FakeEngine;
  router: FakeRouter;
  metrics: FakeMetrics;
  deployer: Deployer;
  reconciler: Reconciler;
  /** the units the gate finds unhealthy */
  unhealthy: (spec: UnitSpec) => boolean;
  log: string[];
  /** invariant violations seen at any change */
  violations: string[];
  /** app → fewest web servers that must stay routed (default: its formation), for tests where fewer is expected */
  minRouted: Map<string, number>;
  content(tag: string, over?: Partial<ReleaseContent>): ReleaseContent;
  /** Creates an app and makes `tag` its first release (a promotion-like change, no build). */
  firstRelease(app: string, formation: Record<string, number>, tag?: string): Promise<Deploy>;
  wait(id: number): Promise<Deploy>;
  /** Waits for every queued deploy, repair and background step to end. */
  settle(): Promise<void>;
  /** A server restart: the old deployer freezes where it is (as a killed process would), a new one starts over the same store, engine and router. */
  restart(): Harness;
}

/**
 * The engine's parts wired with an in-memory engine, a recording router and
 * a real store, the way src/main/server.ts wires the real ones. The
 * invariants are checked at every router change and every unit change:
 *   - once an app is live, never fewer than its formation of web servers routed and ready;
 *   - never more than its formation + surge of web units running (+ a blue-green standby set).
 */
export function harness(
  opts: {
    surge?: number;
    standby?: number;
    drainTimeoutSec?: number;
    db?: ReturnType<typeof openDb>;
    engine?: FakeEngine;
    router?: FakeRouter;
  } = {},
): Harness {
  const db = opts.db ?? openDb(":memory:");
  const clock = { now: () => new Date() };
  const store = new Store(db, clock, KEYRING);
  const engine = opts.engine ?? new FakeEngine();
  const router = opts.router ?? new FakeRouter();
  const units = new Units(engine, new UnitRepo(db, clock), () => Date.now());
  const log: string[] = [];
  const violations: string[] = [];
  let killed = false;
  const minRouted = new Map<string, number>();
  const h: Partial<Harness> = { store, engine, router, log, violations, minRouted, unhealthy: () => false };
  const ctx: EngineContext = {
    store,
    keyring: KEYRING,
    engine,
    units,
    oneOffs: new OneOffs(units, () => Date.now()),
    router,
    locks: new AppLocks(),
    logs: new DeployLogs(store),
    canaries: new CanaryStore(db),
    probe: async (url) => {
      const address = new URL(url).hostname;
      const u = [...engine.units.values()].find((x) => x.address === address && x.state === "running");
      if (!u) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      return { status: u.spec && h.unhealthy!(u.spec) ? 500 : 200, body: "ok" };
    },
    clock,
    // a killed server's timers never fire again (a promise that never settles keeps nothing alive)
    sleep: (ms) => (killed ? new Promise(() => {}) : new Promise((r) => setTimeout(r, Math.min(ms, 5)))),
    domain: "test",
    httpPort: 80,
    dataDir: "/nonexistent",
    drainTimeoutSec: opts.drainTimeoutSec ?? 0,
    stopTimeoutSec: 0,
    releasePhaseTimeoutSec: 5,
    keepReleases: 10,
    quotas: DEFAULT_QUOTAS,
    build: {
      limits: { maxContextBytes: DEFAULT_MAX_CONTEXT_BYTES, maxEntries: DEFAULT_MAX_ENTRIES },
      timeoutSec: DEFAULT_BUILD_TIMEOUT_SEC,
      baseImages: [...DEFAULT_BASE_IMAGES],
    },
    pidsLimit: DEFAULT_PIDS_LIMIT,
    startConcurrency: 4,
    log: (m) => log.push(m),
  };
  const metrics = new FakeMetrics();
  const deployer = new Deployer(ctx, metrics, { canaryTickMs: 1 });
  const reconciler = new Reconciler(ctx);
  const check = (where: string) => {
    for (const a of store.listApps()) {
      const want = minRouted.get(a.name) ?? a.formation.web ?? 1;
      const live = a.liveReleaseId;
      // ready servers (a canary's 100 % step gives the old ones weight 0 while they wait to retire, by design)
      const servers = store.routedServers(a.name).filter((s) => s.state === "ready");
      if (live && routedOnce.has(a.name) && servers.length < want)
        violations.push(`${where}: ${a.name} has ${servers.length} of ${want} web servers routed`);
      if (servers.length >= want) routedOnce.add(a.name);
      const running = engine.running(a.name).length;
      const bound =
        (a.formation.web ?? 1) + (opts.surge ?? 1) + (ctx.canaries.standby(a.name) ? (opts.standby ?? want) : 0);
      if (running > bound) violations.push(`${where}: ${a.name} runs ${running} web units, more than ${bound}`);
    }
  };
  const routedOnce = new Set<string>();
  router.onApply = () => check("router change");
  engine.onChange = () => check("unit change");

  Object.assign(h, {
    ctx,
    metrics,
    deployer,
    reconciler,
    content: (tag: string, over: Partial<ReleaseContent> = {}) => ({
      image: `yadokari/img:${tag}`,
      commit: null,
      processes: { web: null },
      healthcheck: { ...DEFAULT_HEALTHCHECK, attempts: 3, wait: 0, deadline: 5 },
      manifest: EMPTY_MANIFEST,
      ...over,
    }),
    async firstRelease(app: string, formation: Record<string, number>, tag = "v1") {
      if (!store.getApp(app)) store.createApp(app);
      store.setFormation(app, formation);
      engine.imageRefs.add(`yadokari/img:${tag}`);
      const { deploy } = deployer.submitChanges(
        app,
        "promote",
        [{ kind: "content", content: h.content!(tag) }],
        `first ${tag}`,
      );
      return h.wait!(deploy.id);
    },
    async wait(id: number) {
      await deployer.queue.finished(id);
      return store.getDeploy(id)!;
    },
    async settle() {
      await ctx.locks.idle();
      for (const a of store.listApps()) await ctx.locks.settled(a.name);
    },
    restart() {
      killed = true;
      return harness({ ...opts, db, engine, router });
    },
  });
  return h as Harness;
}

const KEYRING = Keyring.ephemeral();

/** The invariants at the end: exactly the live release's units at the formation, all routed; nothing else of ours. */
export function assertConverged(h: Harness, app: string, web: number): void {
  const a = h.store.getApp(app)!;
  const live = h.store.getRelease(a.liveReleaseId!)!;
  const units = [...h.engine.units.values()].filter((u) => u.spec?.app === app);
  assert.deepEqual(
    units.map((u) => [u.spec!.process, u.spec!.releaseVersion, u.state]),
    Array.from({ length: web }, () => ["web", live.version, "running"]),
    "exactly the live release's web units run",
  );
  const routed = h.store.routedServers(app);
  assert.deepEqual(
    routed.map((s) => [s.releaseId, s.state]).sort(),
    Array.from({ length: web }, () => [live.id, "ready"]),
    "exactly they are routed",
  );
  assert.deepEqual(
    h.router
      .servers(app)
      .map((s) => s.name)
      .sort(),
    routed.map((s) => s.name).sort(),
    "the router has what the store says",
  );
  assert.deepEqual(h.violations, [], "no invariant was broken at any step");
}
