import http from "node:http";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { getRequestListener } from "@hono/node-server";
import { openRepositories } from "../store/repositories.js";
import { systemClock, sleep } from "../lib/clock.js";
import { DockerodeAdapter } from "../docker/dockerode-adapter.js";
import { HaproxyRouter } from "../router/haproxy-router.js";
import { AppLocks } from "../engine/app-locks.js";
import { DeployLogs } from "../engine/deploy-log.js";
import { httpProbe } from "../engine/health/http-probe.js";
import type { EngineContext } from "../engine/context.js";
import { Deployer } from "../engine/deployer.js";
import { Reconciler } from "../engine/reconciler.js";
import { CronScheduler } from "../cron/scheduler.js";
import { Runs } from "../runs/runs.js";
import { Apps } from "../engine/apps.js";
import { Processes } from "../engine/processes.js";
import { desiredFromStore, syncRouter } from "../engine/router-sync.js";
import { LocalEngine } from "../engines/local/local-engine.js";
import { Units } from "../engine/units.js";
import { OneOffs } from "../engine/one-offs.js";
import { adoptLegacyUnits } from "../engine/legacy-units.js";
import { tokenFromHeader } from "../api/auth.js";
import { Accounts } from "../accounts/accounts.js";
import { Audit } from "../accounts/audit.js";
import { access, decide } from "../accounts/policy.js";
import { createApi } from "../api/app.js";
import { handleUpgrade } from "../api/upgrade.js";
import { GitRepos } from "../git/repos.js";
import { handleGit } from "../git/http-backend.js";
import { parseListen } from "../lib/listen.js";
import { capLogFile } from "../lib/log-cap.js";
import { Keyring } from "../secrets/keyring.js";
import { Gitflow } from "../gitflow/service.js";
import { Mirrors } from "../gitflow/mirror.js";
import { RouterMetrics } from "../metrics/sampler.js";
import { checkBinds } from "../storage/bind-guard.js";
import { hostOf } from "../domain/hostname-policy.js";
import { createLogger, type Logger } from "../lib/logger.js";
import type { Settings } from "./settings.js";
import { Certificates } from "../certs/service.js";
import { tlsFromOptions } from "../certs/settings.js";
import { Cluster } from "../cluster/cluster.js";
import { dockerFromEnv } from "../cluster/engine-client.js";

export interface RunningServer {
  apiUrl: string;
  close(): Promise<void>;
}

const VERSION = (
  JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "../../../package.json"), "utf8")) as {
    version: string;
  }
).version;

/**
 * The composition root of the control plane: the only place adapters are
 * wired. Every setting comes in `opts` (src/main/settings.ts), read once.
 */
export async function startServer(
  opts: Settings,
  logger: Logger = createLogger({ level: opts.logLevel, format: opts.logFormat }),
): Promise<RunningServer> {
  const log = (m: string) => logger.info(m);
  const api = parseListen(opts.apiListen, "--api-listen");
  const httpL = parseListen(opts.httpListen, "--http-listen");
  const tlsOpts = tlsFromOptions(opts, api);
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(opts.dataDir, 0o700);

  // The master key lives beside the store, never in it: a copied database alone reveals no config var.
  const keyring = await Keyring.open(join(opts.dataDir, "master.key"));
  const clock = systemClock;
  const data = openRepositories(join(opts.dataDir, "yadokari.db"), clock, keyring);
  const { store } = data;
  const docker = new DockerodeAdapter({
    instance: store.metaOnce("instance", () => randomBytes(6).toString("hex")),
    // bind sources are re-checked before every container: a link planted since the mount is refused
    checkSpec: (spec) => checkBinds(spec, opts.storageRoots),
  });
  // The engine runs the units; the local engine is one dockerd. Above it, only recorded units exist.
  const engine = new LocalEngine(docker);
  await engine.ping();
  const units = new Units(engine, data.units, () => clock.now().getTime());
  // HAProxy needs about 2 file descriptors per connection and refuses to start
  // past the FD limit (20,000 on these machines): 8,000 connections fit.
  const accessLog = opts.accessLog === "off" ? "off" : "stdout";
  const router = new HaproxyRouter({
    dir: join(opts.dataDir, "router"),
    httpListen: opts.httpListen,
    accessLog,
    maxconn: opts.routerMaxconn,
    httpsListen: tlsOpts.httpsListen ?? undefined,
    log,
  });
  const locks = new AppLocks();
  const ctx: EngineContext = {
    store,
    keyring,
    engine,
    units,
    oneOffs: new OneOffs(units, () => clock.now().getTime()),
    router,
    locks,
    log,
    logs: new DeployLogs(store, logger),
    canaries: data.canaries,
    probe: httpProbe,
    clock,
    sleep,
    domain: opts.domain,
    httpPort: httpL.port,
    dataDir: opts.dataDir,
    drainTimeoutSec: opts.drainTimeoutSec,
    stopTimeoutSec: opts.stopTimeoutSec,
    releasePhaseTimeoutSec: opts.releaseTimeoutSec,
    settleSec: opts.settleSec,
    keepReleases: opts.keepReleases,
    quotas: {
      domains: opts.maxDomains,
      configVars: opts.maxConfigVars,
      mounts: opts.maxMounts,
      cronJobs: opts.maxCronJobs,
    },
    build: {
      limits: { maxContextBytes: opts.buildMaxContextBytes, maxEntries: opts.buildMaxEntries },
      timeoutSec: opts.buildTimeoutSec,
      baseImages: opts.buildBaseImages,
    },
    pidsLimit: opts.pidsLimit,
  };

  // Certificates: uploaded and automatic (ACME), pushed to the router live; part of its desired state.
  const certStore = data.certs;
  const certs = new Certificates({
    store: certStore,
    apps: store,
    domain: opts.domain,
    router,
    sync: () => syncRouter(ctx),
    log,
    https: tlsOpts.httpsListen !== null,
    httpPort: httpL.port,
    api: tlsOpts.api,
    acme: tlsOpts.acme(certStore, log),
    backoff: tlsOpts.backoff,
    reviewChildren: (app) => data.gitflow.reviewApps(app).map((r) => r.app),
  });
  ctx.tls = { desired: () => certs.desired(), apiHostname: tlsOpts.api?.hostname };

  const accountStore = data.accounts;
  const accounts = new Accounts(
    accountStore,
    clock,
    (app) => data.gitflow.reviewOf(app)?.parent ?? null,
    (app) => store.getApp(app) !== null,
  );
  const audit = new Audit(accountStore);
  const admin = accounts.bootstrapAdmin(opts.dataDir);
  log(
    admin.created
      ? `admin token written to ${admin.path} (shown once; keep it safe)`
      : `admin token: see ${admin.path}`,
  );

  const repos = new GitRepos(join(opts.dataDir, "git"));
  const mirrors = new Mirrors(join(opts.dataDir, "git-cache"), join(opts.dataDir, "uploads"));
  const apps = new Apps(ctx, {
    onCreate: async (a) => void (await repos.ensure(a)),
    onDestroy: async (a) => {
      repos.remove(a);
      mirrors.remove(a);
      // grants are by name: a later app of the same name must not inherit them
      accountStore.removeGrantsOn(a);
    },
    beforeDestroy: (a) => deployer.queue.discard(a),
    parentOf: (a) => data.gitflow.reviewOf(a)?.parent ?? null,
    reservedHosts: [hostOf(opts.apiListen), hostOf(opts.publicUrl)].filter((h) => h !== null),
  });
  // Request metrics per app and release: the router's counters, sampled (canaries read them too).
  const metrics = new RouterMetrics(
    { store, router, log, now: () => clock.now().getTime() },
    {
      accessLog: accessLog === "off" ? null : router.paths.log,
      intervalMs: opts.metricsIntervalMs,
      retentionMs: 65 * 60_000,
    },
  );
  const deployer = new Deployer(ctx, metrics);
  // Containers a version without unit records created are adopted once, from what that version recorded.
  const adopted = await adoptLegacyUnits(ctx);
  if (adopted) log(`recorded ${adopted} unit(s) created before unit records existed`);

  const state = await router.ensureRunning(desiredFromStore(ctx));
  log(
    `router ${state} (HAProxy pid ${router.pid()}) on ${opts.httpListen}${tlsOpts.httpsListen ? ` and ${tlsOpts.httpsListen} (HTTPS)` : ""}`,
  );
  metrics.start();
  // Deploys in flight when the server stopped get their owner back (a canary continues or is aborted)
  // before the reconciler looks at their app; then the queued ones run.
  for (const p of deployer.resume()) p.catch((e) => log(`deploy recovery: ${(e as Error).message}`));
  await syncRouter(ctx);
  certs.start(tlsOpts.tickMs);
  if (tlsOpts.api) log(`API and UI also at https://${tlsOpts.api.hostname}/ through the router`);
  const reconciler = new Reconciler(ctx);
  await reconciler.trigger();
  reconciler.start();
  // Cron: adopts runs that outlived a previous server, then evaluates due jobs every tick.
  const cron = new CronScheduler(
    ctx,
    { tickMs: opts.cronTickMs, timeoutSec: opts.cronTimeoutSec, pollMs: 500, clock },
    data.cron,
  );
  cron.start();

  // A dead HAProxy is restarted from the store's state.
  const watchdog = setInterval(() => {
    router.ensureRunning(desiredFromStore(ctx)).then(
      (s) => s === "started" && log(`HAProxy was not running: restarted (pid ${router.pid()})`),
      (e) => log(`router watchdog: ${(e as Error).message}`),
    );
  }, 2000);
  watchdog.unref();

  // Logs that filled disks: the router's access log and the server log are capped.
  const logCap = opts.logMaxBytes;
  const logCapper = setInterval(() => {
    for (const f of [join(opts.dataDir, "router", "haproxy.log"), join(opts.dataDir, "server.log")]) {
      try {
        if (capLogFile(f, logCap)) log(`${f} passed ${logCap} bytes: kept as ${f}.1 and truncated`);
      } catch (e) {
        log(`log cap ${f}: ${(e as Error).message}`);
      }
    }
  }, 2_000); // a busy router writes megabytes a second: check often, it is one stat()
  logCapper.unref();

  const apiUrl = `http://${api.host === "0.0.0.0" ? "127.0.0.1" : api.host}:${api.port}`;
  const processes = new Processes(ctx, deployer, reconciler);
  // One-off runs: attach sessions and the sweep that removes finished or abandoned run containers.
  const runs = new Runs(ctx, {
    graceMs: opts.runGraceSec * 1000,
    sweepMs: opts.runSweepMs,
    unattachedMs: 10 * 60_000,
    resultTtlMs: 10 * 60_000,
  });
  runs.start();
  // Git sources, webhooks, review apps (with their TTL cleanup) and promotion.
  const gitflow = new Gitflow(ctx, apps, deployer, data.gitflow, mirrors, {
    cleanupMs: opts.reviewCleanupMs,
    publicUrl: opts.publicUrl || undefined,
  });
  gitflow.start();
  // The swarm's nodes (issue 12, phase 1): through the engine DOCKER_HOST names; the Swarm engine itself comes later.
  const instance = store.metaOnce("instance", () => randomBytes(6).toString("hex"));
  const cluster = {
    cluster: new Cluster(
      dockerFromEnv({
        DOCKER_HOST: opts.dockerHost,
        DOCKER_TLS_VERIFY: opts.dockerTlsVerify ? "1" : "",
        DOCKER_TLS: opts.dockerTls ? "1" : "",
        DOCKER_CERT_PATH: opts.dockerCertPath,
      }),
      {
        instance,
        // The admission probe's image; phase 2 distributes it through the registry (nodes pull it from there).
        admission: () => ({ nodeImage: opts.admissionImage, managerImage: opts.admissionImage }),
      },
    ),
    registry: data.registry,
  };
  const services = {
    ctx,
    cluster,
    apps,
    deployer,
    processes,
    cron,
    runs,
    accounts,
    audit,
    views: {
      store,
      reviewOf: (app: string) => data.gitflow.reviewOf(app),
      domain: opts.domain,
      httpPort: httpL.port,
      apiBase: apiUrl,
    },
    version: VERSION,
    gitflow,
    metrics,
    log: logger,
    maxUploadBytes: opts.maxUploadBytes,
    storageRoots: opts.storageRoots,
    eventsTickMs: opts.eventsTickMs,
    certs,
  };
  const honoApp = createApi(services);
  const listener = getRequestListener(honoApp.fetch);
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith("/git/")) {
      handleGit(req, res, {
        root: repos.root,
        authenticate: (r, app, push) => {
          const token = tokenFromHeader(r.headers.authorization);
          const p = accounts.byToken(token);
          if (!token || !p)
            return { status: 401, message: "authentication required: use an API token as the password" };
          // a push deploys: the same right as POST …/builds; a fetch reads like GET …/releases
          const d = decide(p, access.app(push ? "deployer" : "viewer"), app);
          return d.allow ? { token } : { status: d.status, message: d.message };
        },
        appExists: (a) => store.getApp(a) !== null,
        ensureRepo: (a) => repos.ensure(a),
        apiUrl,
      }).catch((e) => {
        logger.error("git request failed", { url: req.url, err: (e as Error).stack });
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    void listener(req, res);
  });
  server.on("upgrade", (req, socket, head) => handleUpgrade(req, socket, head, services));
  server.requestTimeout = 0; // builds and followed logs stream for as long as they last
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(api.port, api.host, resolve);
  });
  log(`API listening on ${apiUrl} (version ${VERSION})`);

  return {
    apiUrl,
    async close() {
      clearInterval(watchdog);
      clearInterval(logCapper);
      reconciler.stop();
      metrics.stop();
      await certs.stop();
      await cron.stop();
      await gitflow.stop();
      runs.stop(); // closes attached clients, so the HTTP server can close
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      await locks.idle();
      data.close();
    },
  };
}

/** `yadokari server`: runs until SIGTERM/SIGINT. HAProxy keeps serving after the server exits. */
export async function runServer(opts: Settings): Promise<void> {
  const s = await startServer(opts);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
  await s.close();
}
