import type { Db } from "./db.js";
import type { App, Deploy, Release, RoutedServer } from "../domain/types.js";
import type { DeployStatus, DeployStepView } from "../api/contract.js";
import type { Clock } from "../lib/clock.js";

/* Row → domain mapping. The store holds no business rules: callers decide. */

interface AppRow { name: string; created_at: string; web_replicas: number; live_release_id: number | null }
const toApp = (r: AppRow): App => ({ name: r.name, createdAt: r.created_at, webReplicas: r.web_replicas, liveReleaseId: r.live_release_id });

interface ReleaseRow { id: number; app: string; version: number; image: string; commit_sha: string | null; description: string; processes: string; config: string; healthcheck: string; created_at: string }
const toRelease = (r: ReleaseRow): Release => ({
  id: r.id, app: r.app, version: r.version, image: r.image, commit: r.commit_sha, description: r.description,
  processes: JSON.parse(r.processes), config: JSON.parse(r.config), healthcheck: JSON.parse(r.healthcheck), createdAt: r.created_at,
});

interface DeployRow { id: number; app: string; status: DeployStatus; source: "tar" | "git"; commit_sha: string | null; ref: string | null; release_id: number | null; reason: string | null; container_log: string | null; created_at: string; finished_at: string | null }
const toDeploy = (r: DeployRow): Deploy => ({
  id: r.id, app: r.app, status: r.status, source: r.source, commit: r.commit_sha, ref: r.ref, releaseId: r.release_id,
  reason: r.reason, containerLog: r.container_log, createdAt: r.created_at, finishedAt: r.finished_at,
});

interface RoutedRow { app: string; process: string; name: string; container_id: string; release_id: number; address: string; port: number; weight: number; state: "ready" | "drain" }
const toRouted = (r: RoutedRow): RoutedServer => ({ app: r.app, process: r.process, name: r.name, containerId: r.container_id, releaseId: r.release_id, address: r.address, port: r.port, weight: r.weight, state: r.state });

export class Store {
  constructor(readonly db: Db, private readonly clock: Clock) {}

  private now(): string {
    return this.clock.now().toISOString();
  }

  /** A value set once and kept (e.g. this install's instance id). */
  metaOnce(key: string, make: () => string): string {
    this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)").run(key, make());
    return (this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string }).value;
  }

  // tokens
  addToken(label: string, hash: string): void {
    this.db.prepare("INSERT INTO tokens (label, hash, created_at) VALUES (?, ?, ?)").run(label, hash, this.now());
  }
  tokenHashes(): string[] {
    return (this.db.prepare("SELECT hash FROM tokens").all() as { hash: string }[]).map((r) => r.hash);
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
  setWebReplicas(name: string, n: number): void {
    this.db.prepare("UPDATE apps SET web_replicas = ? WHERE name = ?").run(n, name);
  }
  setLiveRelease(name: string, releaseId: number): void {
    this.db.prepare("UPDATE apps SET live_release_id = ? WHERE name = ?").run(releaseId, name);
  }

  // domains
  addDomain(app: string, hostname: string): void {
    this.db.prepare("INSERT INTO domains (hostname, app, created_at) VALUES (?, ?, ?)").run(hostname, app, this.now());
  }
  domainOwner(hostname: string): string | null {
    const r = this.db.prepare("SELECT app FROM domains WHERE hostname = ?").get(hostname) as { app: string } | undefined;
    return r?.app ?? null;
  }
  listDomains(app: string): string[] {
    return (this.db.prepare("SELECT hostname FROM domains WHERE app = ? ORDER BY hostname").all(app) as { hostname: string }[]).map((r) => r.hostname);
  }
  removeDomain(app: string, hostname: string): boolean {
    return this.db.prepare("DELETE FROM domains WHERE app = ? AND hostname = ?").run(app, hostname).changes > 0;
  }

  // releases
  createRelease(r: Omit<Release, "id" | "version" | "createdAt">): Release {
    return this.db.transaction(() => {
      const { v } = this.db.prepare("SELECT COALESCE(MAX(version), 0) + 1 AS v FROM releases WHERE app = ?").get(r.app) as { v: number };
      const info = this.db
        .prepare("INSERT INTO releases (app, version, image, commit_sha, description, processes, config, healthcheck, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .run(r.app, v, r.image, r.commit, r.description, JSON.stringify(r.processes), JSON.stringify(r.config), JSON.stringify(r.healthcheck), this.now());
      return this.getRelease(Number(info.lastInsertRowid))!;
    })();
  }
  getRelease(id: number): Release | null {
    const r = this.db.prepare("SELECT * FROM releases WHERE id = ?").get(id) as ReleaseRow | undefined;
    return r ? toRelease(r) : null;
  }
  listReleases(app: string): Release[] {
    return (this.db.prepare("SELECT * FROM releases WHERE app = ? ORDER BY version DESC").all(app) as ReleaseRow[]).map(toRelease);
  }

  // deploys
  createDeploy(d: { app: string; source: "tar" | "git"; commit: string | null; ref: string | null }): Deploy {
    const info = this.db
      .prepare("INSERT INTO deploys (app, status, source, commit_sha, ref, created_at) VALUES (?, 'queued', ?, ?, ?, ?)")
      .run(d.app, d.source, d.commit, d.ref, this.now());
    return this.getDeploy(Number(info.lastInsertRowid))!;
  }
  getDeploy(id: number): Deploy | null {
    const r = this.db.prepare("SELECT * FROM deploys WHERE id = ?").get(id) as DeployRow | undefined;
    return r ? toDeploy(r) : null;
  }
  listDeploys(app: string, limit = 50): Deploy[] {
    return (this.db.prepare("SELECT * FROM deploys WHERE app = ? ORDER BY id DESC LIMIT ?").all(app, limit) as DeployRow[]).map(toDeploy);
  }
  unfinishedDeploys(): Deploy[] {
    return (this.db.prepare("SELECT * FROM deploys WHERE status IN ('queued','building','deploying') ORDER BY id").all() as DeployRow[]).map(toDeploy);
  }
  setDeployStatus(id: number, status: DeployStatus): void {
    this.db.prepare("UPDATE deploys SET status = ? WHERE id = ?").run(status, id);
  }
  setDeployRelease(id: number, releaseId: number, commit: string | null): void {
    this.db.prepare("UPDATE deploys SET release_id = ?, commit_sha = COALESCE(commit_sha, ?) WHERE id = ?").run(releaseId, commit, id);
  }
  finishDeploy(id: number, status: "succeeded" | "failed", reason: string | null, containerLog: string | null): void {
    this.db.prepare("UPDATE deploys SET status = ?, reason = ?, container_log = ?, finished_at = ? WHERE id = ?").run(status, reason, containerLog, this.now(), id);
  }
  startStep(deployId: number, name: string, detail: string | null = null): number {
    return Number(this.db.prepare("INSERT INTO deploy_steps (deploy_id, name, status, started_at, detail) VALUES (?, ?, 'running', ?, ?)").run(deployId, name, this.now(), detail).lastInsertRowid);
  }
  finishStep(stepId: number, status: "done" | "failed", detail: string | null = null): void {
    this.db.prepare("UPDATE deploy_steps SET status = ?, finished_at = ?, detail = COALESCE(?, detail) WHERE id = ?").run(status, this.now(), detail, stepId);
  }
  listSteps(deployId: number): DeployStepView[] {
    return (this.db.prepare("SELECT name, status, started_at, finished_at, detail FROM deploy_steps WHERE deploy_id = ? ORDER BY id").all(deployId) as {
      name: string; status: DeployStepView["status"]; started_at: string; finished_at: string | null; detail: string | null;
    }[]).map((r) => ({ name: r.name, status: r.status, startedAt: r.started_at, finishedAt: r.finished_at, detail: r.detail }));
  }
  appendLog(deployId: number, seq: number, line: string): void {
    this.db.prepare("INSERT INTO deploy_log (deploy_id, seq, line) VALUES (?, ?, ?)").run(deployId, seq, line);
  }
  readLog(deployId: number): string[] {
    return (this.db.prepare("SELECT line FROM deploy_log WHERE deploy_id = ? ORDER BY seq").all(deployId) as { line: string }[]).map((r) => r.line);
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
      .run(s.app, s.process, s.name, s.containerId, s.releaseId, s.address, s.port, s.weight, s.state);
  }
  removeRoutedServer(app: string, process: string, name: string): void {
    this.db.prepare("DELETE FROM routed_servers WHERE app = ? AND process = ? AND name = ?").run(app, process, name);
  }

  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
