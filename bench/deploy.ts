/**
 * bench:deploy — steady keep-alive HTTP load (wrk) through the router on
 * 127.0.0.1 while 20 consecutive deploys of an app with 2 web replicas run
 * with the `yk deploy` CLI; then the same load against a naive
 * stop-then-start replacement (bare HAProxy, one container) as a baseline.
 *
 * Prints requests, failed requests (non-2xx/3xx and socket errors, as wrk
 * counts them; a second, independent keep-alive client counts them per
 * request too), and deploy time from command to live (median, p95).
 * Exits 1 when Yadokari failed a request or a deploy, 0 otherwise.
 *
 * Then (the rolling case, lib/rolling.ts) a separate app with 4 web replicas
 * and maxSurge 1, deployed BENCH_ROLLING_DEPLOYS times under the same load
 * while GET …/ps and Docker are polled every ~50 ms: the fewest web
 * containers running and routed must never drop below 4, the most running
 * never exceed 5. Exits 1 when a bound breaks or a request or deploy fails.
 *
 * Environment: BENCH_DEPLOYS (20), BENCH_CONNECTIONS (16),
 * BENCH_CHECKER_CONNECTIONS (2; 0 turns the second counter off),
 * BENCH_ROLLING_DEPLOYS (5), BENCH_SKIP_ROLLING=1, BENCH_SKIP_NAIVE=1,
 * BENCH_ONLY_ROLLING=1 (the rolling case alone: no 2-replica case, no
 * baseline), BENCH_KEEP=1 (keep the server's data dir, with haproxy.log and
 * server.log, under /tmp/yk-bench-keep-*).
 */
import { cpSync, lstatSync, mkdtempSync, rmSync, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestServer, FIXTURES, ROOT, appContainers, docker, uniqueApp } from "../test/helpers/yadokari.js";
import { getVia, waitFor } from "../test/helpers/http.js";
import { keepAliveLoad, type LoadResult } from "../test/helpers/load.js";
import { installExitHandlers, onCleanup, runBench, runCleanup } from "./lib/cleanup.js";
import { startWrk, type WrkSummary } from "./lib/wrk.js";
import { runNaive, type NaiveResult } from "./lib/naive.js";
import { median, percentile, secs, sleep } from "./lib/util.js";
import {
  accessLogFindings,
  cliDeploy as cliDeployWith,
  markSource,
  serverLogFindings,
  type DeployRun,
} from "./lib/cli-deploy.js";
import { rollingPhase, rollingSection, type RollingOptions, type RollingResult } from "./lib/rolling.js";

const intEnv = (name: string, dflt: number, min: number, max: number) => {
  const raw = process.env[name];
  const v = raw === undefined || raw === "" ? dflt : Number(raw);
  if (!Number.isInteger(v) || v < min || v > max)
    throw new Error(`${name} must be an integer in ${min}..${max}, got '${raw}'`);
  return v;
};

const DEPLOYS = intEnv("BENCH_DEPLOYS", 20, 1, 200);
const CONNECTIONS = intEnv("BENCH_CONNECTIONS", 16, 1, 1000);
const CHECKER_CONNECTIONS = intEnv("BENCH_CHECKER_CONNECTIONS", 2, 0, 64);
const REPLICAS = 2;
const KEEP = process.env.BENCH_KEEP === "1";
const ONLY_ROLLING = process.env.BENCH_ONLY_ROLLING === "1";
const SKIP_NAIVE = process.env.BENCH_SKIP_NAIVE === "1" || ONLY_ROLLING;
const SKIP_ROLLING = process.env.BENCH_SKIP_ROLLING === "1" && !ONLY_ROLLING;
const ROLLING_DEPLOYS = intEnv("BENCH_ROLLING_DEPLOYS", 5, 1, 100);
/** One deploy, from command to exit, is cut off after this. */
const DEPLOY_TIMEOUT_MS = 120_000;
/** wrk's -d: an upper bound only (it is stopped with SIGINT when the deploys are done). */
const WRK_BOUND_S = DEPLOYS * 30 + 120;
/** wrk --timeout: a response slower than this is counted as a timeout (a failure). */
const WRK_TIMEOUT_S = 10;
const TARGET_MEDIAN_MS = 3000;
const CLI = join(ROOT, "dist/src/main/cli.js");

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

const cliDeploy = (s: TestServer, app: string, dir: string, configFile: string, i: number) =>
  cliDeployWith(s, app, dir, configFile, i, { cli: CLI, timeoutMs: DEPLOY_TIMEOUT_MS, log });

const ROLLING: RollingOptions = {
  deploys: ROLLING_DEPLOYS,
  replicas: 4,
  surge: 1,
  connections: CONNECTIONS,
  checkerConnections: CHECKER_CONNECTIONS,
  wrkTimeoutSeconds: WRK_TIMEOUT_S,
  pollIntervalMs: 50,
  // four batches, each waiting for the previous batch's old container to drain and stop
  deployTimeoutMs: 300_000,
  cli: CLI,
  keep: KEEP,
  log,
};

interface YadokariResult {
  wrk: WrkSummary;
  checker: LoadResult | null;
  deploys: DeployRun[];
  finalBody: string;
  retired: boolean;
  logFindings: string[];
}

async function yadokariPhase(): Promise<YadokariResult> {
  const s = await TestServer.start();
  onCleanup("Yadokari test server", async () => {
    if (KEEP) {
      const keep = mkdtempSync(join(tmpdir(), "yk-bench-keep-"));
      // Sockets cannot be copied; everything else (store, router config, logs) is.
      cpSync(s.dataDir, keep, {
        recursive: true,
        filter: (src) => {
          try {
            const st = lstatSync(src);
            return st.isFile() || st.isDirectory();
          } catch {
            return false;
          }
        },
      });
      log(`BENCH_KEEP=1: the server's data dir was copied to ${keep} (router/haproxy.log, server.log)`);
    }
    await s.close();
  });
  log(`server on ${s.url}, router on 127.0.0.1:${s.httpPort}, data dir ${s.dataDir}`);
  const app = uniqueApp("bench-deploy");
  const host = `${app}.${s.domain}`;
  await s.createApp(app);
  const patch = await s.api("PATCH", `/apps/${app}`, { webReplicas: REPLICAS });
  if (patch.status !== 200) throw new Error(`PATCH webReplicas: ${patch.status} ${JSON.stringify(patch.body)}`);

  const work = mkdtempSync(join(tmpdir(), "yk-bench-deploy-"));
  onCleanup(`temp dir ${work}`, () => rmSync(work, { recursive: true, force: true }));
  const src = join(work, "app");
  cpSync(join(FIXTURES, "good"), src, { recursive: true });
  const configFile = join(work, "cli-config.json");

  // First deploy: builds the layers the later ones reuse; not counted.
  markSource(src, 0);
  const first = await cliDeploy(s, app, src, configFile, 0);
  if (!first.ok) throw new Error("the first (uncounted) deploy failed; see its output above");
  await waitFor(
    "the app to answer through the router",
    async () => (await getVia(s.httpPort, host)).status === 200,
    30000,
  );
  log(`first deploy (not counted): ${secs(first.ms)}, release v${first.release}`);

  const wrk = await startWrk({
    url: `http://127.0.0.1:${s.httpPort}/`,
    host,
    threads: 1,
    connections: CONNECTIONS,
    maxSeconds: WRK_BOUND_S,
    timeoutSeconds: WRK_TIMEOUT_S,
  });
  const checker =
    CHECKER_CONNECTIONS > 0
      ? keepAliveLoad({
          port: s.httpPort,
          host,
          connections: CHECKER_CONNECTIONS,
          maxRequests: 50_000_000,
          maxMs: WRK_BOUND_S * 1000,
        })
      : null;
  const stopChecker = onCleanup("keep-alive checker", () => checker?.stop());
  const deploys: DeployRun[] = [];
  let wrkResult: WrkSummary;
  try {
    await sleep(1000);
    for (let i = 1; i <= DEPLOYS; i++) {
      markSource(src, i);
      const d = await cliDeploy(s, app, src, configFile, i);
      deploys.push(d);
      const st = Object.entries(d.steps)
        .map(([k, v]) => `${k} ${(v / 1000).toFixed(2)}`)
        .join(", ");
      log(
        `deploy ${i}/${DEPLOYS}: ${d.ok ? "live" : "FAILED"} in ${secs(d.ms)}${d.release ? ` (v${d.release})` : ""}${st ? ` [server: ${st}]` : ""}`,
      );
    }
    await sleep(1000);
  } finally {
    wrkResult = await wrk.stop();
    await stopChecker();
  }

  const last = [...deploys].reverse().find((d) => d.ok && d.release !== null)?.release ?? first.release;
  const finalBody = (
    await getVia(s.httpPort, host).catch((e) => ({ body: `error: ${(e as Error).message}` }))
  ).body.trim();
  const retired = await waitFor(
    "old containers to be retired",
    async () => {
      const all = await appContainers(app);
      return all.length === REPLICAS && all.every((c) => c.Labels["yadokari.release"] === `v${last}`);
    },
    30000,
  ).then(
    () => true,
    () => false,
  );

  const failed = wrkResult.failed + (checker?.result.failed ?? 0) + deploys.filter((d) => !d.ok).length;
  let logFindings: string[] = [];
  if (failed > 0) {
    log("Yadokari had failures: reading the router's access log and the server log");
    logFindings = [
      ...(await accessLogFindings(join(s.dataDir, "router", "haproxy.log"), host)),
      ...serverLogFindings(s.logPath),
    ];
  }
  const logFile = join(s.dataDir, "router", "haproxy.log");
  if (existsSync(logFile)) log(`router access log: ${(statSync(logFile).size / 1e6).toFixed(0)} MB`);
  return {
    wrk: wrkResult,
    checker: checker ? checker.result : null,
    deploys,
    finalBody: `${finalBody} (expected ok v${last})`,
    retired,
    logFindings,
  };
}

const oneLine = (list: string[], max: number) =>
  list
    .slice(0, max)
    .map((f) => f.replace(/\s+/g, " ").slice(0, 120))
    .join("; ");

function table(y: YadokariResult, n: NaiveResult | null, naiveError: string | null): { text: string; ok: boolean } {
  const okMs = y.deploys.filter((d) => d.ok).map((d) => d.ms);
  const failedDeploys = y.deploys.filter((d) => !d.ok).length;
  const yMed = median(okMs);
  const yP95 = percentile(okMs, 95);
  const head = [
    "",
    "requests",
    "failed",
    "non-2xx",
    "socket-errors (c/r/w/t)",
    "req/s",
    "deploy median",
    "p95",
    "failed deploys",
  ];
  const row = (name: string, w: WrkSummary, med: number, p95: number, failedDeploys: number) => [
    name,
    String(w.requests),
    String(w.failed),
    String(w.non2xx3xx),
    `${w.socketErrors} (${w.connect}/${w.read}/${w.write}/${w.timeout})`,
    w.reqPerSec.toFixed(0),
    secs(med),
    secs(p95),
    String(failedDeploys),
  ];
  const rows = [head, row("yadokari (runtime API)", y.wrk, yMed, yP95, failedDeploys)];
  if (n)
    rows.push(
      row(
        "naive stop-then-start",
        n.wrk,
        median(n.replaceMs),
        percentile(n.replaceMs, 95),
        n.failedReplacements.length,
      ),
    );
  const widths = head.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const fmt = (r: string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("   ");
  const lines: string[] = [];
  lines.push("");
  lines.push(
    `bench:deploy — ${DEPLOYS} deploys, ${REPLICAS} web replicas, wrk -t1 -c${CONNECTIONS} --timeout ${WRK_TIMEOUT_S}s keep-alive through the router (127.0.0.1)`,
  );
  lines.push(fmt(rows[0]));
  for (const r of rows.slice(1)) lines.push(fmt(r));
  lines.push("");
  lines.push(
    "  requests = responses wrk read (includes non-2xx/3xx); failed = non-2xx/3xx + socket errors (connect/read/write/timeout).",
  );
  lines.push(
    "  yadokari deploy time: `yk deploy` from spawn to exit 0 (the CLI exits only when the release is live): pack, upload, cached build, start, health gate, router switch.",
  );
  if (n)
    lines.push(
      `  naive time: docker stop (default timeout) + rm + create + start of 1 container on the same host port, until it answers 200; ${n.replaceMs.length} replacements, a 1 s pause after each.`,
    );
  const stepNames = ["build", "start", "gate", "commit", "route", "drain", "remove"];
  const okRuns = y.deploys.filter((d) => d.ok);
  if (okRuns.length) {
    const parts = stepNames
      .map((k) => [k, okRuns.map((d) => d.steps[k]).filter((v): v is number => typeof v === "number")] as const)
      .filter(([, v]) => v.length);
    const server = okRuns.map((d) => d.serverMs).filter((v): v is number => v !== null);
    const overhead = okRuns.filter((d) => d.serverMs !== null).map((d) => d.ms - (d.serverMs as number));
    lines.push(
      `  yadokari medians by step kind, summed over a deploy's web batches (server side; drain and remove = the mid-rollout retirements the deploy waits for): ${parts.map(([k, v]) => `${k} ${secs(median([...v]))}`).join(", ")}; deploy record created→finished ${secs(median(server))}; CLI start, pack, upload and log follow ${secs(median(overhead))}.`,
    );
  }
  lines.push("");
  const c = y.checker;
  if (c) {
    const releases = [...c.bodies.keys()].length;
    lines.push(
      `  second counter (keepAliveLoad, ${CHECKER_CONNECTIONS} keep-alive connections from the bench process), yadokari: ${c.sent} sent, ${c.failed} failed, ${releases} distinct responses${c.failures.length ? `; first failures: ${oneLine(c.failures, 10)}` : ""}`,
    );
  }
  if (n?.checker)
    lines.push(
      `  second counter, naive: ${n.checker.sent} sent, ${n.checker.failed} failed${n.checker.failures.length ? `; first failures: ${oneLine(n.checker.failures, 5)}` : ""}`,
    );
  lines.push(
    `  after the deploys the router answered: ${y.finalBody}; old containers retired: ${y.retired ? "yes" : "NO (not within 30 s)"}`,
  );
  if (y.wrk.endedEarly)
    lines.push(
      `  WARNING: wrk reached its ${WRK_BOUND_S} s bound before the deploys were done: part of the run had no load.`,
    );
  if (n?.wrk.endedEarly) lines.push("  WARNING: wrk reached its bound before the naive replacements were done.");
  if (n?.failedReplacements.length) lines.push(`  naive replacements that failed: ${n.failedReplacements.join("; ")}`);
  if (naiveError) lines.push(`  naive baseline did not complete: ${naiveError}`);
  if (y.logFindings.length) {
    lines.push("  why (router access log / server log):");
    for (const l of y.logFindings) lines.push(`    ${l}`);
  }
  const yFailed = y.wrk.failed + (c?.failed ?? 0);
  const zero = yFailed === 0 && failedDeploys === 0;
  const fast = yMed <= TARGET_MEDIAN_MS;
  lines.push(
    `targets: 0 failed ${yFailed === 0 ? "✔" : `✘ (${y.wrk.failed} by wrk, ${c?.failed ?? "-"} by keepAliveLoad)`}${failedDeploys ? `, failed deploys ✘ (${failedDeploys})` : ""}, median ≤ ${TARGET_MEDIAN_MS / 1000} s ${fast ? "✔" : "✘"} (${secs(yMed)})`,
  );
  return { text: lines.join("\n"), ok: zero && !y.wrk.endedEarly };
}

async function main(): Promise<number> {
  installExitHandlers(45 * 60_000 + (SKIP_ROLLING ? 0 : ROLLING_DEPLOYS * 3 * 60_000));
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -p tsconfig.json)`);
  try {
    let y: YadokariResult | null = null;
    if (!ONLY_ROLLING) {
      log(`Yadokari: ${DEPLOYS} deploys of 2 web replicas under wrk -c${CONNECTIONS}`);
      y = await yadokariPhase();
      // The Yadokari server, its HAProxy and containers go before the next phase runs, so each phase has the machine to itself.
      await runCleanup();
    }
    let r: RollingResult | null = null;
    let rollingError: string | null = null;
    if (!SKIP_ROLLING) {
      log(
        `rolling case: ${ROLLING_DEPLOYS} deploys of ${ROLLING.replicas} web replicas, maxSurge ${ROLLING.surge}, under wrk -c${CONNECTIONS}`,
      );
      try {
        r = await rollingPhase(ROLLING);
      } catch (e) {
        rollingError = (e as Error).message;
        log(`rolling case failed: ${(e as Error).stack}`);
      }
      await runCleanup();
    }
    let n: NaiveResult | null = null;
    let naiveError: string | null = null;
    if (!SKIP_NAIVE) {
      log(`naive baseline: ${DEPLOYS} stop-then-start replacements under the same load`);
      const src = mkdtempSync(join(tmpdir(), "yk-bench-naive-src-"));
      onCleanup(`temp dir ${src}`, () => rmSync(src, { recursive: true, force: true }));
      cpSync(join(FIXTURES, "good"), src, { recursive: true });
      try {
        n = await runNaive({
          docker,
          sourceDir: src,
          replacements: DEPLOYS,
          pauseMs: 1000,
          wrk: { threads: 1, connections: CONNECTIONS, maxSeconds: DEPLOYS * 30 + 120, timeoutSeconds: WRK_TIMEOUT_S },
          checkerConnections: CHECKER_CONNECTIONS,
          log,
        });
      } catch (e) {
        naiveError = (e as Error).message;
        log(`naive baseline failed: ${(e as Error).stack}`);
      }
    }
    let ok = true;
    if (y) {
      const t = table(y, n, naiveError);
      process.stdout.write(t.text + "\n");
      ok &&= t.ok;
    }
    if (!SKIP_ROLLING) {
      const t = rollingSection(r, rollingError, ROLLING);
      process.stdout.write(t.text + "\n");
      ok &&= t.ok;
    }
    return ok ? 0 : 1;
  } finally {
    await runCleanup();
  }
}

runBench(main);
