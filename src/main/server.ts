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
import { dockerEnv, s3Settings, type Settings } from "./settings.js";
import { Certificates } from "../certs/service.js";
import { tlsFromOptions } from "../certs/settings.js";
import { Cluster } from "../cluster/cluster.js";
import { dockerFromEnv } from "../cluster/engine-client.js";
import { PidFile } from "../ops/pid-file.js";
import { DrainGate } from "../ops/drain.js";
import { Operations } from "../ops/operations.js";
import { settleRoutes } from "../ops/boot-routes.js";
import { Backups } from "../ops/backup/service.js";
import { diagnose } from "../ops/doctor.js";
import { gatherDoctorFacts } from "../ops/doctor-facts.js";
import type { Readable } from "node:stream";

export interface RunningServer {
  apiUrl: string;
  /**
   * Stops: takes no new work (changes get 503 shutting_down, queued deploys
   * stay queued), gives running deploys up to `graceMs` to finish, then
   * closes. HAProxy keeps serving.
   */
  close(opts?: { graceMs?: number }): Promise<void>;
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
  const startedAtMs = Date.now() - Math.round(process.uptime() * 1000);
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(opts.dataDir, 0o700);
  // One server per data dir; `yadokari stop` and `status` find it by this file.
  const pidFile = new PidFile(join(opts.dataDir, "server.pid"));
  pidFile.acquire();
  try {
    return await startWithPidFile(opts, logger, startedAtMs, pidFile);
  } catch (e) {
    pidFile.release();
    throw e;
  }
}

async function startWithPidFile(
  opts: Settings,
  logger: Logger,
  startedAtMs: number,
  pidFile: PidFile,
): Promise<RunningServer> {
  const log = (m: string) => logger.info(m);
  const api = parseListen(opts.apiListen, "--api-listen");
  const httpL = parseListen(opts.httpListen, "--http-listen");
  const tlsOpts = tlsFromOptions(opts, api);

  // The master key lives beside the store, never in it: a copied database alone reveals no config var.
  const keyring = await Keyring.open(join(opts.dataDir, "master.key"));
  const clock = systemClock;
  const data = openRepositories(join(opts.dataDir, "yadokari.db"), clock, keyring);
  const { store } = data;
  // YADOKARI_DOCKER_SOCKET may name another engine's socket (a private dockerd, as in the cold-start test).
  const docker = new DockerodeAdapter({
    instance: store.metaOnce("instance", () => randomBytes(6).toString("hex")),
    socketPath: opts.dockerSocket,
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
    startConcurrency: opts.startConcurrency,
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
  // Addresses may have changed while the server was down (Docker restarted the units): routes first.
  const settled = await settleRoutes(ctx).catch((e: Error) => {
    log(`routes not checked against the engine before the router started: ${e.message}`);
    return { unrouted: 0, readdressed: 0 };
  });
  if (settled.unrouted + settled.readdressed)
    log(
      `routes: ${settled.readdressed} re-addressed, ${settled.unrouted} removed (units moved or gone while the server was down)`,
    );

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
  const drain = new DrainGate();
  const ops = new Operations({
    ctx,
    router,
    version: VERSION,
    drain,
    startedAtMs,
    dockerVersion: async () => {
      const v = await docker.docker.version();
      return { version: v.Version, apiVersion: v.ApiVersion };
    },
  });
  // Backups of the control plane: on request and on a schedule (yk backup, yk backup:schedule).
  const backups = new Backups({
    store,
    state: data.backups,
    snapshot: (file) => data.snapshot(file),
    dataDir: opts.dataDir,
    version: VERSION,
    s3: s3Settings(opts),
    log,
    imageExists: (ref) => engine.images.exists(ref),
    // docker save of several images at once: shared layers are saved once (dockerode has it, its types do not)
    saveImages: async (refs) =>
      (await (docker.docker as unknown as { getImages(o: { names: string[] }): Promise<Readable> }).getImages({
        names: refs,
      })) as Readable,
  });
  backups.start();
  const doctor = async () =>
    diagnose(
      await gatherDoctorFacts({
        ops,
        store,
        cron: data.cron,
        router,
        certStore,
        dataDir: opts.dataDir,
        domain: opts.domain,
        listeners: [
          { what: "the router's HTTP listener", listen: opts.httpListen },
          ...(tlsOpts.httpsListen ? [{ what: "the router's HTTPS listener", listen: tlsOpts.httpsListen }] : []),
        ],
        dockerInfo: async () => {
          const [v, i] = await Promise.all([docker.docker.version(), docker.docker.info()]);
          return {
            version: v.Version,
            apiVersion: v.ApiVersion,
            systemTime: (i as { SystemTime?: string }).SystemTime ?? null,
            rootDir: (i as { DockerRootDir?: string }).DockerRootDir ?? null,
          };
        },
        backups: () => {
          const sch = backups.state.schedule();
          return { scheduled: sch !== null, everyHours: sch?.everyHours ?? null, last: backups.state.last() };
        },
      }),
    );
  const reconciler = new Reconciler(ctx);
  // After a reboot the first pass starts every missing unit (web first); the clock reports when all serve.
  ops.watchColdStart();
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
    cluster: new Cluster(dockerFromEnv(dockerEnv(opts)), {
      instance,
      // The admission probe's image; phase 2 distributes it through the registry (nodes pull it from there).
      admission: () => ({ nodeImage: opts.admissionImage, managerImage: opts.admissionImage }),
    }),
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
    ops: { operations: ops, backups, doctor },
  };
  const honoApp = createApi(services);
  const listener = getRequestListener(honoApp.fetch);
  const server = http.createServer((req, res) => {
    if (drain.handle(req, res)) return; // stopping: no new deploys, pushes or changes
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
    async close({ graceMs = Infinity } = {}) {
      drain.start();
      // Queued deploys stay queued in the store: the next server runs them (the queue resumes them).
      deployer.queue.stop();
      clearInterval(watchdog);
      clearInterval(logCapper);
      ops.stop();
      await backups.stop(); // a backup under way completes (its file is renamed into place only whole)
      reconciler.stop();
      metrics.stop();
      await certs.stop();
      await cron.stop();
      await gitflow.stop();
      runs.stop(); // closes attached clients, so the HTTP server can close once the deploys are done
      // Running deploys reach a recorded step and finish (their log followers still read them) within
      // the grace; one still running then is finished by the next server (the lifecycle's recovery).
      const busy = () => [...new Set(store.inFlightDeploys().map((d) => d.app))];
      if (busy().length) log(`waiting up to ${graceMs / 1000} s for deploys of ${busy().join(", ")} to finish`);
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        locks.idle().then(() => true),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(false), Math.min(graceMs, 2 ** 31 - 1)))),
      ]);
      clearTimeout(timer);
      if (!finished)
        log(
          `deploys still running after ${graceMs / 1000} s: ${busy().join(", ")}; the next server finishes them from their last recorded step`,
        );
      const queued = store.appsWithQueuedDeploys();
      if (queued.length) log(`queued deploys of ${queued.join(", ")} stay queued: the next server runs them`);
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      data.close();
      pidFile.release();
    },
  };
}

/**
 * `yadokari server`: runs until SIGTERM/SIGINT, then stops taking new work,
 * gives running deploys YADOKARI_SHUTDOWN_GRACE seconds (default 60) and
 * exits. HAProxy keeps serving after the server exits. A second signal exits at once.
 */
export async function runServer(opts: Settings): Promise<void> {
  const logger = createLogger({ level: opts.logLevel, format: opts.logFormat });
  const s = await startServer(opts, logger);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  const graceSec = opts.shutdownGraceSec;
  logger.info(
    `${signal} received: stopping (no new deploys; running ones get up to ${graceSec} s to reach a recorded step); HAProxy keeps serving`,
    { signal, graceSec },
  );
  const again = (sig: NodeJS.Signals) => {
    logger.warn(`${sig} received again: exiting now`, { signal: sig });
    process.exit(1);
  };
  process.once("SIGTERM", again);
  process.once("SIGINT", again);
  const t0 = Date.now();
  await s.close({ graceMs: graceSec * 1000 });
  const ms = Date.now() - t0;
  logger.info(`stopped in ${(ms / 1000).toFixed(1)} s`, { ms });
}
