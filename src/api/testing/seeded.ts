import { mkdtempSync, rmSync } from "node:fs";
import { DEFAULT_QUOTAS } from "../../domain/quotas.js";
import { DEFAULT_BUILD_TIMEOUT_SEC, DEFAULT_MAX_CONTEXT_BYTES, DEFAULT_MAX_ENTRIES } from "../../build/settings.js";
import { DEFAULT_BASE_IMAGES } from "../../build/dockerfile-policy.js";
import { DEFAULT_PIDS_LIMIT } from "../../docker/hardening.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb } from "../../store/db.js";
import { repositoriesOf } from "../../store/repositories.js";
import { Units } from "../../engine/units.js";
import { OneOffs } from "../../engine/one-offs.js";
import { oneOffUnitSpec, processUnitSpec } from "../../engine/plan/unit-spec.js";
import { Keyring } from "../../secrets/keyring.js";
import { systemClock } from "../../lib/clock.js";
import { captureLogger } from "../../lib/logger.js";
import { AppLocks } from "../../engine/app-locks.js";
import { DeployLogs } from "../../engine/deploy-log.js";
import type { EngineContext } from "../../engine/context.js";
import { Apps } from "../../engine/apps.js";
import { Deployer } from "../../engine/deployer.js";
import { Processes } from "../../engine/processes.js";
import { Reconciler } from "../../engine/reconciler.js";
import { CronScheduler } from "../../cron/scheduler.js";
import { Runs } from "../../runs/runs.js";
import { Accounts } from "../../accounts/accounts.js";
import { Audit } from "../../accounts/audit.js";
import { Gitflow } from "../../gitflow/service.js";
import { Mirrors } from "../../gitflow/mirror.js";
import { RouterMetrics } from "../../metrics/sampler.js";
import { resolveCanary } from "../../canary/settings.js";
import { DEFAULT_HEALTHCHECK } from "../../manifest/app-json.js";
import { createApi, type ApiRouter } from "../app.js";
import type { ApiServices } from "../services.js";
import { SeededEngine, FakeRouter, FakeSwarmEngine } from "./fakes.js";
import { Certificates } from "../../certs/service.js";
import { Cluster } from "../../cluster/cluster.js";
import type Docker from "dockerode";
import { Operations } from "../../ops/operations.js";
import { DrainGate } from "../../ops/drain.js";
import { Backups } from "../../ops/backup/service.js";
import { makeCa, makeCert } from "../../../test/helpers/certs.js";

/**
 * An API in process, on a real store (SQLite in a temporary directory) with
 * real accounts, audit, apps, deploys, config, gitflow and cron records, and
 * fake Docker and HAProxy: what the API tests that need no Docker run
 * against. It is seeded with two apps and known secrets, so a test can look
 * for them in every answer.
 */
export interface Seeded {
  api: ApiRouter;
  services: ApiServices;
  /** the swarm manager the cluster routes talk to (`swarm = false`: an engine outside any swarm) */
  swarm: FakeSwarmEngine;
  logs: ReturnType<typeof captureLogger>;
  /** Bearer tokens by who holds them */
  tokens: {
    admin: string;
    adminUser: string;
    deployerShop: string;
    deployerBlog: string;
    viewerShop: string;
    revoked: string;
  };
  /** every secret value the seed put in: none may reach a caller who may not read it */
  secrets: string[];
  /** ids the seed made, to fill path parameters */
  ids: {
    deploy: number;
    deployNumber: number;
    cronRun: number;
    job: string;
    runId: string;
    hostname: string;
    email: string;
    token: number;
    node: string;
  };
  request(
    method: string,
    path: string,
    opts?: { token?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): void;
}

export const SECRET = {
  config: "s3cret-config-value-7f1c",
  review: "s3cret-review-value-a9d2",
  repoPassword: "s3cret-repo-password-44e1",
  password: "s3cret-user-password-0b7e",
  registry: "s3cret-registry-password-5c3a",
} as const;

export async function seededApi(): Promise<Seeded> {
  const dir = mkdtempSync(join(tmpdir(), "yk-api-"));
  const storageRoot = mkdtempSync(join(tmpdir(), "yk-api-storage-"));
  const keyring = Keyring.ephemeral();
  const data = repositoriesOf(openDb(join(dir, "yadokari.db")), systemClock, keyring);
  const { store } = data;
  const logs = captureLogger();
  const engine = new SeededEngine();
  const units = new Units(engine, data.units, () => Date.now());
  const router = new FakeRouter();
  const ctx: EngineContext = {
    store,
    keyring,
    engine,
    units,
    oneOffs: new OneOffs(units, () => Date.now()),
    router,
    locks: new AppLocks(),
    logs: new DeployLogs(store, logs),
    canaries: data.canaries,
    probe: async () => ({ ok: true, status: 200, detail: "fake" }) as never,
    clock: systemClock,
    sleep: async () => {},
    domain: "yk.test",
    httpPort: 8080,
    dataDir: dir,
    drainTimeoutSec: 1,
    stopTimeoutSec: 1,
    releasePhaseTimeoutSec: 10,
    keepReleases: 10,
    quotas: DEFAULT_QUOTAS,
    build: {
      limits: { maxContextBytes: DEFAULT_MAX_CONTEXT_BYTES, maxEntries: DEFAULT_MAX_ENTRIES },
      timeoutSec: DEFAULT_BUILD_TIMEOUT_SEC,
      baseImages: [...DEFAULT_BASE_IMAGES],
    },
    pidsLimit: DEFAULT_PIDS_LIMIT,
    startConcurrency: 4,
    log: (m) => logs.info(m),
  };
  const accountStore = data.accounts;
  const accounts = new Accounts(
    accountStore,
    systemClock,
    (app) => data.gitflow.reviewOf(app)?.parent ?? null,
    (app) => store.getApp(app) !== null,
  );
  const audit = new Audit(accountStore);
  const apps = new Apps(ctx);
  const metrics = new RouterMetrics(
    { store, router, log: ctx.log },
    { accessLog: null, intervalMs: 5000, retentionMs: 65 * 60_000 },
  );
  const deployer = new Deployer(ctx, metrics);
  const reconciler = new Reconciler(ctx);
  const gitflowStore = data.gitflow;
  const gitflow = new Gitflow(ctx, apps, deployer, gitflowStore, new Mirrors(join(dir, "git-cache"), join(dir, "up")), {
    cleanupMs: 60_000,
  });
  const cron = new CronScheduler(ctx, { tickMs: 60_000, timeoutSec: 60, pollMs: 500, clock: systemClock }, data.cron);
  const certStore = data.certs;
  const certs = new Certificates({
    store: certStore,
    apps: store,
    domain: ctx.domain,
    router,
    sync: async () => {},
    log: ctx.log,
    https: true,
    httpPort: ctx.httpPort,
    acme: null,
    reviewChildren: (app) => gitflowStore.reviewApps(app).map((r) => r.app),
  });
  const instance = store.metaOnce("instance", () => "seeded");
  const swarm = new FakeSwarmEngine(instance);
  const services: ApiServices = {
    ctx,
    apps,
    deployer,
    processes: new Processes(ctx, deployer, reconciler),
    cron,
    runs: new Runs(ctx, { graceMs: 1000, sweepMs: 60_000, unattachedMs: 60_000, resultTtlMs: 60_000 }),
    accounts,
    audit,
    views: {
      store,
      reviewOf: (app: string) => gitflowStore.reviewOf(app),
      domain: ctx.domain,
      httpPort: ctx.httpPort,
      apiBase: "http://127.0.0.1:7700",
    },
    version: "test",
    gitflow,
    metrics,
    log: logs,
    maxUploadBytes: 1024 * 1024,
    // beside the data dir, never in it: nothing under the data dir is ever mounted
    storageRoots: [storageRoot],
    eventsTickMs: 50,
    certs,
    cluster: {
      cluster: new Cluster(swarm as unknown as Docker, {
        instance,
        admission: () => ({ nodeImage: "yadokari-local/busybox:1", managerImage: "yadokari-local/busybox:1" }),
      }),
      registry: data.registry,
    },
    ops: {
      operations: new Operations({
        ctx,
        // no HAProxy here: status says the router does not answer
        router: { pid: () => null, info: () => Promise.reject(new Error("no router")), drift: async () => [] },
        dockerVersion: async () => ({ version: "fake", apiVersion: "1.45" }),
        version: "test",
        drain: new DrainGate(),
        startedAtMs: Date.now(),
      }),
      backups: new Backups({
        store,
        state: data.backups,
        snapshot: (file) => data.snapshot(file),
        dataDir: dir,
        version: "test",
        saveImages: () => Promise.reject(new Error("no Docker here")),
        imageExists: async () => false,
        s3: { endpoint: "", region: "", accessKeyId: "", secretAccessKey: "", sessionToken: "" },
        log: ctx.log,
      }),
      doctor: async () => [{ name: "docker", status: "ok" as const, detail: "fake", fix: "" }],
    },
  };

  // ---- the seed: apps shop and blog, a live release with config, a deploy, cron, git, review config, users
  const admin = accounts.bootstrapAdmin(dir);
  const adminToken = (await import("node:fs")).readFileSync(admin.path, "utf8").trim();
  for (const name of ["shop", "blog"]) {
    store.createApp(name);
    store.changeConfigVars(name, { DATABASE_URL: `${SECRET.config}-${name}` });
    const rel = store.createRelease({
      app: name,
      image: `yadokari/${name}:abc`,
      commit: "3f786850e387550fdab836ed7e6dc881de23001b",
      description: "Deploy 3f78685",
      processes: { web: null, worker: "node worker.js" },
      config: store.configVars(name),
      healthcheck: DEFAULT_HEALTHCHECK,
      formation: { web: 1, worker: 1 },
      manifest: {
        releaseCommand: null,
        cron: [{ name: "nightly", command: "node report.js", schedule: "0 3 * * *", concurrencyPolicy: "forbid" }],
        deploy: {},
        formation: {},
      },
      createdBy: "admin",
    });
    store.setLiveRelease(name, rel.id);
    await units.start(processUnitSpec(rel, "web", `seed${name}`, 1));
  }
  const hostname = "www.shop.example";
  store.addDomain("shop", hostname);
  const d = store.createDeploy({
    app: "shop",
    source: "tar",
    commit: null,
    ref: null,
    actor: "admin",
    intent: { changes: [], description: "Deploy" },
  });
  const step = store.startStep(d.id, "build", "docker build");
  store.finishStep(step, "done");
  store.setDeployRelease(d.id, store.getApp("shop")!.liveReleaseId!, null);
  store.finishDeploy(d.id, "succeeded", null);
  ctx.canaries.create({
    deployId: d.id,
    app: "shop",
    releaseId: store.getApp("shop")!.liveReleaseId!,
    previousReleaseId: store.getApp("shop")!.liveReleaseId!,
    settings: resolveCanary({}),
    now: Date.now(),
  });
  const cronRun = cron.runs.begin({
    app: "shop",
    job: "nightly",
    releaseVersion: 1,
    trigger: "manual",
    scheduledFor: null,
    status: "skipped",
    output: "skipped: a test",
  });
  await gitflow.sources.connect("shop", `https://ci:${SECRET.repoPassword}@git.example/acme/shop.git`, "main");
  const webhookSecret = gitflow.sources.secret("shop", false);
  gitflow.reviewApps.enable("shop", "7d");
  gitflow.reviewApps.setConfig("shop", { REVIEW_TOKEN: SECRET.review });
  gitflowStore.recordDelivery({
    app: "shop",
    provider: "github",
    deliveryId: "d-1",
    event: "push",
    accepted: true,
    bodySha256: "0".repeat(64),
    ref: "refs/heads/main",
    commit: "3f786850e387550fdab836ed7e6dc881de23001b",
    outcome: "queued",
  });
  store.addMount("shop", { hostPath: "shop-data", containerPath: "/data" });
  // a certificate the team uploaded for its custom domain, and a failed ACME attempt for the default one
  const ca = await makeCa();
  const cert = await makeCert(ca, [hostname]);
  await certs.upload("shop", cert.chain, cert.key);
  const attempt = certStore.startAttempt("shop.yk.test", "issue", Date.now() - 60_000);
  certStore.finishAttempt(
    attempt,
    { ok: false, ordered: true, message: "the CA could not reach the hostname" },
    Date.now(),
  );
  services.cluster.registry.set({ url: "https://registry.example.com", username: "ci", password: SECRET.registry });

  const root = accounts.byToken(adminToken)!;
  const user = async (email: string, role: "admin" | "deployer" | "viewer", apps: string[] | "*") => {
    await accounts.addUser(root, { email, role, apps, password: SECRET.password });
    return accounts.createToken(accounts.byUser(accountStore.userByEmail(email)!, "token"), "seed");
  };
  const adminUser = await user("root@example.com", "admin", "*");
  const deployerShop = await user("dev@example.com", "deployer", ["shop"]);
  const deployerBlog = await user("blogger@example.com", "deployer", ["blog"]);
  const viewerShop = await user("viewer@example.com", "viewer", ["shop"]);
  const revoked = await user("gone@example.com", "admin", "*");
  accounts.revokeToken(accounts.byToken(revoked.token)!, revoked.id);
  const shopRelease = store.getRelease(store.getApp("shop")!.liveReleaseId!)!;
  const runId = (
    await units.start(
      oneOffUnitSpec(shopRelease, "run", ["sh"], "seedrun", { meta: { detach: true, tty: false }, stopTimeoutSec: 1 }),
    )
  ).id;
  engine.seal();

  const api = createApi(services);
  return {
    api,
    services,
    swarm,
    logs,
    tokens: {
      admin: adminToken,
      adminUser: adminUser.token,
      deployerShop: deployerShop.token,
      deployerBlog: deployerBlog.token,
      viewerShop: viewerShop.token,
      revoked: revoked.token,
    },
    secrets: [
      SECRET.config,
      SECRET.review,
      SECRET.repoPassword,
      SECRET.password,
      SECRET.registry,
      cert.key,
      webhookSecret,
      adminToken,
      adminUser.token,
      deployerShop.token,
      deployerBlog.token,
      viewerShop.token,
      revoked.token,
    ],
    ids: {
      deploy: d.id,
      deployNumber: d.number,
      cronRun: cronRun.id,
      job: "nightly",
      runId,
      hostname,
      email: "dev@example.com",
      token: 1,
      node: FakeSwarmEngine.MANAGER,
    },
    request(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      const token = opts.token === undefined ? adminToken : opts.token;
      if (token) headers.authorization = `Bearer ${token}`;
      if (opts.body !== undefined) headers["content-type"] ??= "application/json";
      return Promise.resolve(
        api.request(path, {
          method,
          headers,
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        }),
      );
    },
    close() {
      data.close();
      rmSync(dir, { recursive: true, force: true });
      rmSync(storageRoot, { recursive: true, force: true });
    },
  };
}
