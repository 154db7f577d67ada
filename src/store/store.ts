import type { Db } from "./db.js";
import {
  EMPTY_MANIFEST,
  type Mount,
  type App,
  type DeploySettings,
  type Deploy,
  type Formation,
  type Release,
  type RoutedServer,
} from "../domain/types.js";
import type { DeploySource, DeployStatus, DeployStepView } from "../domain/types.js";
import type { Strategy } from "../domain/strategy.js";
import type { DeployIntent } from "../engine/lifecycle/intent.js";
import type { Clock } from "../lib/clock.js";
import type { Keyring } from "../secrets/keyring.js";

/* Row → domain mapping. The store holds no business rules: callers decide. */

interface AppRow {
  name: string;
  created_at: string;
  formation: string;
  deploy_settings: string;
  stopped: number;
  live_release_id: number | null;
}
const toApp = (r: AppRow): App => ({
  name: r.name,
  createdAt: r.created_at,
  formation: JSON.parse(r.formation),
  deploySettings: JSON.parse(r.deploy_settings),
  stopped: r.stopped === 1,
  liveReleaseId: r.live_release_id,
});

interface ReleaseRow {
  id: number;
  app: string;
  version: number;
  image: string;
  commit_sha: string | null;
  description: string;
  processes: string;
  config: string;
  healthcheck: string;
  formation: string;
  manifest: string;
  created_by: string;
  created_at: string;
}

/** Associated data that binds a sealed value to what it is. */
export const configAad = (app: string, key: string) => `config:${app}:${key}`;
export const releaseConfigAad = (app: string, version: number) => `release-config:${app}:v${version}`;

interface DeployRow {
  id: number;
  app: string;
  status: DeployStatus;
  source: DeploySource;
  commit_sha: string | null;
  ref: string | null;
  release_id: number | null;
  reason: string | null;
  container_log: string | null;
  created_at: string;
  finished_at: string | null;
  intent: string | null;
  actor: string;
  error_code: string | null;
  superseded_by: number | null;
  strategy: Strategy | null;
}
const toDeploy = (r: DeployRow): Deploy => ({
  id: r.id,
  app: r.app,
  status: r.status,
  source: r.source,
  commit: r.commit_sha,
  ref: r.ref,
  releaseId: r.release_id,
  reason: r.reason,
  errorCode: r.error_code,
  containerLog: r.container_log,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
  actor: r.actor,
  strategy: r.strategy,
  supersededBy: r.superseded_by,
});
export const deployIntentAad = (app: string, id: number) => `deploy-intent:${app}:${id}`;

interface RoutedRow {
  app: string;
  process: string;
  name: string;
  container_id: string;
  release_id: number;
  address: string;
  port: number;
  weight: number;
  state: "ready" | "drain";
}
const toRouted = (r: RoutedRow): RoutedServer => ({
  app: r.app,
  process: r.process,
  name: r.name,
  unitId: r.container_id,
  releaseId: r.release_id,
  address: r.address,
  port: r.port,
  weight: r.weight,
  state: r.state,
});

interface ProcessHealthRow {
  app: string;
  process: string;
  restarts: number;
  crashes_in_row: number;
  last_exit_code: number | null;
  last_crash_at: string | null;
  backoff_until: string | null;
}
export interface ProcessHealth {
  app: string;
  process: string;
  restarts: number;
  crashesInRow: number;
  lastExitCode: number | null;
  lastCrashAt: string | null;
  backoffUntil: string | null;
}
const toHealth = (r: ProcessHealthRow): ProcessHealth => ({
  app: r.app,
  process: r.process,
  restarts: r.restarts,
  crashesInRow: r.crashes_in_row,
  lastExitCode: r.last_exit_code,
  lastCrashAt: r.last_crash_at,
  backoffUntil: r.backoff_until,
});

export class Store {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly keyring: Keyring,
  ) {}

  private toRelease(r: ReleaseRow): Release {
    // Config snapshots are sealed; the only unsealed value ever written was the empty one of early releases.
    const config = r.config.startsWith("v1:")
      ? JSON.parse(this.keyring.open(r.config, releaseConfigAad(r.app, r.version)))
      : JSON.parse(r.config);
    return {
      id: r.id,
      app: r.app,
      version: r.version,
      image: r.image,
      commit: r.commit_sha,
      description: r.description,
      processes: JSON.parse(r.processes),
      config,
      healthcheck: JSON.parse(r.healthcheck),
      formation: JSON.parse(r.formation),
      manifest: { ...EMPTY_MANIFEST, ...JSON.parse(r.manifest) },
      createdBy: r.created_by,
      createdAt: r.created_at,
    };
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  /** A value set once and kept (e.g. this install's instance id). */
  metaOnce(key: string, make: () => string): string {
    this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)").run(key, make());
    return (this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string }).value;
  }

  meta(key: string): string | null {
    return (
      (this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined)?.value ?? null
    );
  }
  setMeta(key: string, value: string): void {
    this.db
      .prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
      .run(key, value);
  }

  // apps
  createApp(name: string): App {
    this.db.prepare("INSERT INTO apps (name, created_at) VALUES (?, ?)").run(name, this.now());
    return this.getApp(name)!;
  }
  getApp(name: string): App | null {
    const r = this.db.prepare("SELECT * FROM apps WHERE name = ?").get(name) as AppRow | undefined;
    return r ? toApp(r) : null;
  }
  listApps(): App[] {
    return (this.db.prepare("SELECT * FROM apps ORDER BY name").all() as AppRow[]).map(toApp);
  }
  deleteApp(name: string): void {
    this.db.prepare("DELETE FROM apps WHERE name = ?").run(name);
  }
  setFormation(name: string, formation: Formation): void {
    this.db.prepare("UPDATE apps SET formation = ? WHERE name = ?").run(JSON.stringify(formation), name);
  }
  setStopped(name: string, stopped: boolean): void {
    this.db.prepare("UPDATE apps SET stopped = ? WHERE name = ?").run(stopped ? 1 : 0, name);
  }
  setDeploySettings(name: string, settings: DeploySettings): void {
    this.db.prepare("UPDATE apps SET deploy_settings = ? WHERE name = ?").run(JSON.stringify(settings), name);
  }

  // config vars: sealed per app and name; the plain value never reaches the database
  configVars(app: string): Record<string, string> {
    const rows = this.db.prepare("SELECT key, sealed FROM config_vars WHERE app = ? ORDER BY key").all(app) as {
      key: string;
      sealed: string;
    }[];
    return Object.fromEntries(rows.map((r) => [r.key, this.keyring.open(r.sealed, configAad(app, r.key))]));
  }
  /** Sets (string) and unsets (null) config vars in one transaction. */
  changeConfigVars(app: string, changes: Record<string, string | null>): void {
    this.tx(() => {
      for (const [key, value] of Object.entries(changes)) {
        if (value === null) this.db.prepare("DELETE FROM config_vars WHERE app = ? AND key = ?").run(app, key);
        else
          this.db
            .prepare(
              "INSERT INTO config_vars (app, key, sealed) VALUES (?, ?, ?) ON CONFLICT (app, key) DO UPDATE SET sealed = excluded.sealed",
            )
            .run(app, key, this.keyring.seal(value, configAad(app, key)));
      }
    });
  }
  /** Re-seals every config var and release snapshot with the keyring's current key. */
  resealAll(): number {
    let n = 0;
    this.tx(() => {
      for (const r of this.db.prepare("SELECT app, key, sealed FROM config_vars").all() as {
        app: string;
        key: string;
        sealed: string;
      }[]) {
        const aad = configAad(r.app, r.key);
        this.db
          .prepare("UPDATE config_vars SET sealed = ? WHERE app = ? AND key = ?")
          .run(this.keyring.seal(this.keyring.open(r.sealed, aad), aad), r.app, r.key);
        n++;
      }
      for (const r of this.db.prepare("SELECT id, app, version, config FROM releases").all() as {
        id: number;
        app: string;
        version: number;
        config: string;
      }[]) {
        const aad = releaseConfigAad(r.app, r.version);
        const plain = r.config.startsWith("v1:") ? this.keyring.open(r.config, aad) : r.config;
        this.db.prepare("UPDATE releases SET config = ? WHERE id = ?").run(this.keyring.seal(plain, aad), r.id);
        n++;
      }
      for (const r of this.db.prepare("SELECT id, app, intent FROM deploys WHERE intent IS NOT NULL").all() as {
        id: number;
        app: string;
        intent: string;
      }[]) {
        const aad = deployIntentAad(r.app, r.id);
        this.db
          .prepare("UPDATE deploys SET intent = ? WHERE id = ?")
          .run(this.keyring.seal(this.keyring.open(r.intent, aad), aad), r.id);
        n++;
      }
    });
    return n;
  }
  setLiveRelease(name: string, releaseId: number | null): void {
    this.db.prepare("UPDATE apps SET live_release_id = ? WHERE name = ?").run(releaseId, name);
  }

  // domains
  addDomain(app: string, hostname: string): void {
    this.db.prepare("INSERT INTO domains (hostname, app, created_at) VALUES (?, ?, ?)").run(hostname, app, this.now());
  }
  domainOwner(hostname: string): string | null {
    const r = this.db.prepare("SELECT app FROM domains WHERE hostname = ?").get(hostname) as
      { app: string } | undefined;
    return r?.app ?? null;
  }
  listDomains(app: string): string[] {
    return (
      this.db.prepare("SELECT hostname FROM domains WHERE app = ? ORDER BY hostname").all(app) as { hostname: string }[]
    ).map((r) => r.hostname);
  }
  removeDomain(app: string, hostname: string): boolean {
    return this.db.prepare("DELETE FROM domains WHERE app = ? AND hostname = ?").run(app, hostname).changes > 0;
  }

  // releases
  createRelease(r: Omit<Release, "id" | "version" | "createdAt">): Release {
    return this.db.transaction(() => {
      const { v } = this.db
        .prepare("SELECT COALESCE(MAX(version), 0) + 1 AS v FROM releases WHERE app = ?")
        .get(r.app) as { v: number };
      const info = this.db
        .prepare(
          `INSERT INTO releases (app, version, image, commit_sha, description, processes, config, healthcheck, formation, manifest, created_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          r.app,
          v,
          r.image,
          r.commit,
          r.description,
          JSON.stringify(r.processes),
          this.keyring.seal(JSON.stringify(r.config), releaseConfigAad(r.app, v)),
          JSON.stringify(r.healthcheck),
          JSON.stringify(r.formation),
          JSON.stringify(r.manifest),
          r.createdBy,
          this.now(),
        );
      return this.getRelease(Number(info.lastInsertRowid))!;
    })();
  }
  getRelease(id: number): Release | null {
    const r = this.db.prepare("SELECT * FROM releases WHERE id = ?").get(id) as ReleaseRow | undefined;
    return r ? this.toRelease(r) : null;
  }
  releaseByVersion(app: string, version: number): Release | null {
    const r = this.db.prepare("SELECT * FROM releases WHERE app = ? AND version = ?").get(app, version) as
      ReleaseRow | undefined;
    return r ? this.toRelease(r) : null;
  }
  listReleases(app: string): Release[] {
    return (this.db.prepare("SELECT * FROM releases WHERE app = ? ORDER BY version DESC").all(app) as ReleaseRow[]).map(
      (r) => this.toRelease(r),
    );
  }

  // deploys: the durable queue (src/engine/lifecycle/queue.ts)
  createDeploy(d: {
    app: string;
    source: DeploySource;
    commit: string | null;
    ref: string | null;
    actor: string;
    strategy?: Strategy | null;
    intent: DeployIntent;
  }): Deploy {
    return this.tx(() => {
      const info = this.db
        .prepare(
          "INSERT INTO deploys (app, status, source, commit_sha, ref, actor, strategy, created_at) VALUES (?, 'queued', ?, ?, ?, ?, ?, ?)",
        )
        .run(d.app, d.source, d.commit, d.ref, d.actor, d.strategy ?? null, this.now());
      const id = Number(info.lastInsertRowid);
      this.setDeployIntent(id, d.app, d.intent);
      return this.getDeploy(id)!;
    });
  }
  getDeploy(id: number): Deploy | null {
    const r = this.db.prepare("SELECT * FROM deploys WHERE id = ?").get(id) as DeployRow | undefined;
    return r ? toDeploy(r) : null;
  }
  listDeploys(app: string, limit = 50): Deploy[] {
    return (
      this.db.prepare("SELECT * FROM deploys WHERE app = ? ORDER BY id DESC LIMIT ?").all(app, limit) as DeployRow[]
    ).map(toDeploy);
  }
  /** A page of an app's deploys older than `before` (a deploy id), newest first: the deploy list's paging. */
  listDeploysBefore(app: string, before: number, limit: number): Deploy[] {
    return (
      this.db
        .prepare("SELECT * FROM deploys WHERE app = ? AND id < ? ORDER BY id DESC LIMIT ?")
        .all(app, before, limit) as DeployRow[]
    ).map(toDeploy);
  }
  /** Deploys that were building or deploying (after a restart: interrupted). */
  inFlightDeploys(): Deploy[] {
    return (
      this.db.prepare("SELECT * FROM deploys WHERE status IN ('building','deploying') ORDER BY id").all() as DeployRow[]
    ).map(toDeploy);
  }
  /** An app's queued deploys, oldest first. */
  queuedDeploys(app: string): Deploy[] {
    return (
      this.db.prepare("SELECT * FROM deploys WHERE status = 'queued' AND app = ? ORDER BY id").all(app) as DeployRow[]
    ).map(toDeploy);
  }
  appsWithQueuedDeploys(): string[] {
    return (
      this.db.prepare("SELECT DISTINCT app FROM deploys WHERE status = 'queued' ORDER BY app").all() as {
        app: string;
      }[]
    ).map((r) => r.app);
  }
  /** What a deploy will do (sealed: config values are in it). */
  deployIntent(id: number): DeployIntent | null {
    const r = this.db.prepare("SELECT app, intent FROM deploys WHERE id = ?").get(id) as
      { app: string; intent: string | null } | undefined;
    if (!r?.intent) return null;
    return JSON.parse(this.keyring.open(r.intent, deployIntentAad(r.app, id))) as DeployIntent;
  }
  setDeployIntent(id: number, app: string, intent: DeployIntent): void {
    this.db
      .prepare("UPDATE deploys SET intent = ? WHERE id = ?")
      .run(this.keyring.seal(JSON.stringify(intent), deployIntentAad(app, id)), id);
  }
  setDeployStrategy(id: number, strategy: Strategy | null): void {
    this.db.prepare("UPDATE deploys SET strategy = ? WHERE id = ?").run(strategy, id);
  }
  setDeployStatus(id: number, status: "building" | "deploying"): void {
    this.db.prepare("UPDATE deploys SET status = ? WHERE id = ?").run(status, id);
  }
  setDeployRelease(id: number, releaseId: number, commit: string | null): void {
    this.db
      .prepare("UPDATE deploys SET release_id = ?, commit_sha = COALESCE(commit_sha, ?) WHERE id = ?")
      .run(releaseId, commit, id);
  }
  /** The end of a deploy; a finished deploy no longer needs what it was to do. */
  finishDeploy(
    id: number,
    status: "succeeded" | "failed",
    failure: { code: string; reason: string; containerLog: string | null } | null,
  ): void {
    this.db
      .prepare(
        "UPDATE deploys SET status = ?, error_code = ?, reason = ?, container_log = ?, finished_at = ?, intent = NULL WHERE id = ?",
      )
      .run(status, failure?.code ?? null, failure?.reason ?? null, failure?.containerLog ?? null, this.now(), id);
  }
  /** Queued deploys whose changes a newer one took over. */
  supersede(ids: number[], by: number): void {
    const q = this.db.prepare(
      "UPDATE deploys SET status = 'superseded', superseded_by = ?, finished_at = ?, intent = NULL WHERE id = ? AND status = 'queued'",
    );
    for (const id of ids) q.run(by, this.now(), id);
  }
  startStep(deployId: number, name: string, detail: string | null = null): number {
    return Number(
      this.db
        .prepare(
          "INSERT INTO deploy_steps (deploy_id, name, status, started_at, detail) VALUES (?, ?, 'running', ?, ?)",
        )
        .run(deployId, name, this.now(), detail).lastInsertRowid,
    );
  }
  finishStep(stepId: number, status: "done" | "failed", detail: string | null = null): void {
    this.db
      .prepare("UPDATE deploy_steps SET status = ?, finished_at = ?, detail = COALESCE(?, detail) WHERE id = ?")
      .run(status, this.now(), detail, stepId);
  }
  listSteps(deployId: number): DeployStepView[] {
    return (
      this.db
        .prepare(
          "SELECT name, status, started_at, finished_at, detail FROM deploy_steps WHERE deploy_id = ? ORDER BY id",
        )
        .all(deployId) as {
        name: string;
        status: DeployStepView["status"];
        started_at: string;
        finished_at: string | null;
        detail: string | null;
      }[]
    ).map((r) => ({
      name: r.name,
      status: r.status,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      detail: r.detail,
    }));
  }
  appendLog(deployId: number, seq: number, line: string): void {
    this.db.prepare("INSERT INTO deploy_log (deploy_id, seq, line) VALUES (?, ?, ?)").run(deployId, seq, line);
  }
  readLog(deployId: number): string[] {
    return (
      this.db.prepare("SELECT line FROM deploy_log WHERE deploy_id = ? ORDER BY seq").all(deployId) as {
        line: string;
      }[]
    ).map((r) => r.line);
  }

  // the router's desired servers
  routedServers(app?: string): RoutedServer[] {
    const rows = app
      ? (this.db.prepare("SELECT * FROM routed_servers WHERE app = ? ORDER BY name").all(app) as RoutedRow[])
      : (this.db.prepare("SELECT * FROM routed_servers ORDER BY app, name").all() as RoutedRow[]);
    return rows.map(toRouted);
  }
  upsertRoutedServer(s: RoutedServer): void {
    this.db
      .prepare(
        `INSERT INTO routed_servers (app, process, name, container_id, release_id, address, port, weight, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (app, process, name) DO UPDATE SET container_id = excluded.container_id, release_id = excluded.release_id, address = excluded.address,
         port = excluded.port, weight = excluded.weight, state = excluded.state`,
      )
      .run(s.app, s.process, s.name, s.unitId, s.releaseId, s.address, s.port, s.weight, s.state);
  }
  removeRoutedServer(app: string, process: string, name: string): void {
    this.db.prepare("DELETE FROM routed_servers WHERE app = ? AND process = ? AND name = ?").run(app, process, name);
  }

  /** Every app's bind sources, for the rule that no bind source lies inside another. */
  allBindSources(): { app: string; hostPath: string; containerPath: string }[] {
    return (
      this.db
        .prepare("SELECT app, host_path, container_path FROM mounts WHERE host_path LIKE '/%' ORDER BY app")
        .all() as { app: string; host_path: string; container_path: string }[]
    ).map((r) => ({ app: r.app, hostPath: r.host_path, containerPath: r.container_path }));
  }
  // mounts applied to every container of an app (validated by the caller)
  mounts(app: string): Mount[] {
    return (
      this.db
        .prepare("SELECT host_path, container_path FROM mounts WHERE app = ? ORDER BY container_path")
        .all(app) as { host_path: string; container_path: string }[]
    ).map((r) => ({
      hostPath: r.host_path,
      containerPath: r.container_path,
    }));
  }
  addMount(app: string, m: Mount): void {
    this.db
      .prepare("INSERT INTO mounts (app, host_path, container_path) VALUES (?, ?, ?)")
      .run(app, m.hostPath, m.containerPath);
  }
  removeMount(app: string, containerPath: string): boolean {
    return (
      this.db.prepare("DELETE FROM mounts WHERE app = ? AND container_path = ?").run(app, containerPath).changes > 0
    );
  }

  // crash tracking per process type (for backoff and `yk ps`)
  processHealth(app: string): ProcessHealth[] {
    return (
      this.db.prepare("SELECT * FROM process_health WHERE app = ? ORDER BY process").all(app) as ProcessHealthRow[]
    ).map(toHealth);
  }
  allProcessHealth(): ProcessHealth[] {
    return (this.db.prepare("SELECT * FROM process_health").all() as ProcessHealthRow[]).map(toHealth);
  }
  recordCrash(app: string, process: string, exitCode: number | null, backoffUntil: string): void {
    this.db
      .prepare(
        `INSERT INTO process_health (app, process, restarts, crashes_in_row, last_exit_code, last_crash_at, backoff_until) VALUES (?, ?, 1, 1, ?, ?, ?)
         ON CONFLICT (app, process) DO UPDATE SET restarts = restarts + 1, crashes_in_row = crashes_in_row + 1,
         last_exit_code = excluded.last_exit_code, last_crash_at = excluded.last_crash_at, backoff_until = excluded.backoff_until`,
      )
      .run(app, process, exitCode, this.now(), backoffUntil);
  }
  /** A process that has run steadily again is no longer crash-looping. */
  clearCrashStreak(app: string, process: string): void {
    this.db
      .prepare("UPDATE process_health SET crashes_in_row = 0, backoff_until = NULL WHERE app = ? AND process = ?")
      .run(app, process);
  }

  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
