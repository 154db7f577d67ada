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
 * Environment: BENCH_DEPLOYS (20), BENCH_CONNECTIONS (16),
 * BENCH_CHECKER_CONNECTIONS (2; 0 turns the second counter off),
 * BENCH_SKIP_NAIVE=1, BENCH_KEEP=1 (keep the server's data dir, with
 * haproxy.log and server.log, under /tmp/yk-bench-keep-*).
 */
import { cpSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createReadStream, existsSync, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestServer, FIXTURES, ROOT, appContainers, docker, uniqueApp } from "../test/helpers/yadokari.js";
import { getVia, waitFor } from "../test/helpers/http.js";
import { keepAliveLoad, type LoadResult } from "../test/helpers/load.js";
import { installExitHandlers, isStopping, onCleanup, runCleanup } from "./lib/cleanup.js";
import { startWrk, type WrkSummary } from "./lib/wrk.js";
import { runNaive, type NaiveResult } from "./lib/naive.js";
import { median, percentile, runChild, secs, sleep } from "./lib/util.js";

const intEnv = (name: string, dflt: number, min: number, max: number) => {
  const raw = process.env[name];
  const v = raw === undefined || raw === "" ? dflt : Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${name} must be an integer in ${min}..${max}, got '${raw}'`);
  return v;
};

const DEPLOYS = intEnv("BENCH_DEPLOYS", 20, 1, 200);
const CONNECTIONS = intEnv("BENCH_CONNECTIONS", 16, 1, 1000);
const CHECKER_CONNECTIONS = intEnv("BENCH_CHECKER_CONNECTIONS", 2, 0, 64);
const REPLICAS = 2;
const KEEP = process.env.BENCH_KEEP === "1";
const SKIP_NAIVE = process.env.BENCH_SKIP_NAIVE === "1";
/** One deploy, from command to exit, is cut off after this. */
const DEPLOY_TIMEOUT_MS = 120_000;
/** wrk's -d: an upper bound only (it is stopped with SIGINT when the deploys are done). */
const WRK_BOUND_S = DEPLOYS * 30 + 120;
/** wrk --timeout: a response slower than this is counted as a timeout (a failure). */
const WRK_TIMEOUT_S = 10;
const TARGET_MEDIAN_MS = 3000;
const CLI = join(ROOT, "dist/src/main/cli.js");

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

interface DeployRun {
  i: number;
  ok: boolean;
  ms: number;
  id: number | null;
  release: number | null;
  output: string;
  steps: Record<string, number>;
  serverMs: number | null;
}

interface YadokariResult {
  wrk: WrkSummary;
  checker: LoadResult | null;
  deploys: DeployRun[];
  finalBody: string;
  retired: boolean;
  logFindings: string[];
}

/** Marks the copy's server.js with the iteration: the fixture's Dockerfile COPYs only server.js. */
function markSource(dir: string, i: number): void {
  const p = join(dir, "server.js");
  const lines = readFileSync(p, "utf8").split("\n");
  const mark = `// bench:deploy iteration ${i}`;
  if (lines[0].startsWith("// bench:deploy iteration ")) lines[0] = mark;
  else lines.unshift(mark);
  writeFileSync(p, lines.join("\n"));
}

async function stepDurations(s: TestServer, app: string, id: number): Promise<{ steps: Record<string, number>; serverMs: number | null }> {
  const d = (await s.api("GET", `/apps/${app}/deploys/${id}`)).body as {
    createdAt: string;
    finishedAt: string | null;
    steps: Array<{ name: string; startedAt: string; finishedAt: string | null }>;
  };
  const steps: Record<string, number> = {};
  for (const st of d.steps ?? []) if (st.finishedAt && st.name !== "retire") steps[st.name] = Date.parse(st.finishedAt) - Date.parse(st.startedAt);
  return { steps, serverMs: d.finishedAt ? Date.parse(d.finishedAt) - Date.parse(d.createdAt) : null };
}

async function cliDeploy(s: TestServer, app: string, dir: string, configFile: string, i: number): Promise<DeployRun> {
  const r = await runChild(process.execPath, [CLI, "deploy", "-a", app, dir], {
    env: { ...process.env, YADOKARI_URL: s.url, YADOKARI_TOKEN: s.token, YADOKARI_CONFIG: configFile },
    timeoutMs: DEPLOY_TIMEOUT_MS,
  });
  const id = Number(/Deploy #(\d+)/.exec(r.output)?.[1] ?? NaN);
  const release = Number(/release v(\d+)/.exec(r.output)?.[1] ?? NaN);
  const ok = r.code === 0 && !r.timedOut;
  const run: DeployRun = { i, ok, ms: r.ms, id: Number.isFinite(id) ? id : null, release: Number.isFinite(release) ? release : null, output: r.output, steps: {}, serverMs: null };
  if (run.id !== null && !isStopping()) Object.assign(run, await stepDurations(s, app, run.id).catch(() => ({})));
  if (isStopping()) throw new Error("interrupted");
  if (!ok) {
    log(`deploy ${i} FAILED (exit ${r.code}${r.signal ? `, signal ${r.signal}` : ""}${r.timedOut ? `, cut off after ${DEPLOY_TIMEOUT_MS / 1000} s` : ""}); its output:`);
    process.stderr.write(r.output.replace(/^/gm, "    | ") + "\n");
  }
  return run;
}

/**
 * Reads the router's access log (one JSON object per request) for the app's
 * requests that did not end well: a status outside 2xx/3xx or a termination
 * state other than "----". Bounded in lines shown and in time.
 */
async function accessLogFindings(file: string, host: string, maxShown = 12, maxMs = 60_000): Promise<string[]> {
  if (!existsSync(file)) return [`(no ${file})`];
  const shown: string[] = [];
  const counts = new Map<string, number>();
  let lines = 0;
  const deadline = Date.now() + maxMs;
  const rl = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  for await (const line of rl) {
    if (Date.now() > deadline) {
      shown.push(`(stopped reading after ${maxMs / 1000} s, ${lines} lines)`);
      break;
    }
    if (!line.startsWith("{")) {
      // HAProxy's own messages (reloads, server state changes, alerts): rare, and always worth showing.
      if (line.trim() && shown.length < maxShown) shown.push(`haproxy: ${line.slice(0, 240)}`);
      continue;
    }
    lines++;
    let e: { host?: string; status?: number; term?: string };
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    if (e.host !== host) continue;
    const bad = typeof e.status !== "number" || e.status < 200 || e.status >= 400 || (e.term !== undefined && e.term !== "----");
    if (!bad) continue;
    const key = `status ${e.status} term ${e.term}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (shown.length < maxShown) shown.push(line.slice(0, 400));
  }
  rl.close();
  const summary = [...counts].map(([k, v]) => `${v} × ${k}`).join(", ");
  return [`access log: ${lines} request lines; not ended well: ${summary || "none"} (a few CD-- at the very end are the load generators being stopped)`, ...shown];
}

async function yadokariPhase(): Promise<YadokariResult> {
  const s = await TestServer.start();
  onCleanup("Yadokari test server", async () => {
    if (KEEP) {
      const keep = mkdtempSync(join(tmpdir(), "yk-bench-keep-"));
      // Sockets cannot be copied; everything else (store, router config, logs) is.
      cpSync(s.dataDir, keep, { recursive: true, filter: (src) => { try { const st = lstatSync(src); return st.isFile() || st.isDirectory(); } catch { return false; } } });
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
  await waitFor("the app to answer through the router", async () => (await getVia(s.httpPort, host)).status === 200, 30000);
  log(`first deploy (not counted): ${secs(first.ms)}, release v${first.release}`);

  const wrk = await startWrk({ url: `http://127.0.0.1:${s.httpPort}/`, host, threads: 1, connections: CONNECTIONS, maxSeconds: WRK_BOUND_S, timeoutSeconds: WRK_TIMEOUT_S });
  const checker = CHECKER_CONNECTIONS > 0 ? keepAliveLoad({ port: s.httpPort, host, connections: CHECKER_CONNECTIONS, maxRequests: 50_000_000, maxMs: WRK_BOUND_S * 1000 }) : null;
  const stopChecker = onCleanup("keep-alive checker", () => checker?.stop());
  const deploys: DeployRun[] = [];
  let wrkResult: WrkSummary;
  try {
    await sleep(1000);
    for (let i = 1; i <= DEPLOYS; i++) {
      markSource(src, i);
      const d = await cliDeploy(s, app, src, configFile, i);
      deploys.push(d);
      const st = Object.entries(d.steps).map(([k, v]) => `${k} ${(v / 1000).toFixed(2)}`).join(", ");
      log(`deploy ${i}/${DEPLOYS}: ${d.ok ? "live" : "FAILED"} in ${secs(d.ms)}${d.release ? ` (v${d.release})` : ""}${st ? ` [server: ${st}]` : ""}`);
    }
    await sleep(1000);
  } finally {
    wrkResult = await wrk.stop();
    await stopChecker();
  }

  const last = [...deploys].reverse().find((d) => d.ok && d.release !== null)?.release ?? first.release;
  const finalBody = (await getVia(s.httpPort, host).catch((e) => ({ body: `error: ${(e as Error).message}` }))).body.trim();
  const retired = await waitFor("old containers to be retired", async () => {
    const all = await appContainers(app);
    return all.length === REPLICAS && all.every((c) => c.Labels["yadokari.release"] === `v${last}`);
  }, 30000).then(() => true, () => false);

  const failed = wrkResult.failed + (checker?.result.failed ?? 0) + deploys.filter((d) => !d.ok).length;
  let logFindings: string[] = [];
  if (failed > 0) {
    log("Yadokari had failures: reading the router's access log and the server log");
    logFindings = await accessLogFindings(join(s.dataDir, "router", "haproxy.log"), host);
    const serverLog = existsSync(s.logPath) ? readFileSync(s.logPath, "utf8").split("\n").filter((l) => /error|fail|warn|restart|watchdog/i.test(l)).slice(-15) : [];
    if (serverLog.length) logFindings.push("server.log (matching error|fail|warn|restart|watchdog):", ...serverLog.map((l) => `  ${l.slice(0, 300)}`));
  }
  const logFile = join(s.dataDir, "router", "haproxy.log");
  if (existsSync(logFile)) log(`router access log: ${(statSync(logFile).size / 1e6).toFixed(0)} MB`);
  return { wrk: wrkResult, checker: checker ? checker.result : null, deploys, finalBody: `${finalBody} (expected ok v${last})`, retired, logFindings };
}

const oneLine = (list: string[], max: number) => list.slice(0, max).map((f) => f.replace(/\s+/g, " ").slice(0, 120)).join("; ");

function table(y: YadokariResult, n: NaiveResult | null, naiveError: string | null): { text: string; ok: boolean } {
  const okMs = y.deploys.filter((d) => d.ok).map((d) => d.ms);
  const failedDeploys = y.deploys.filter((d) => !d.ok).length;
  const yMed = median(okMs);
  const yP95 = percentile(okMs, 95);
  const head = ["", "requests", "failed", "non-2xx", "socket-errors (c/r/w/t)", "req/s", "deploy median", "p95", "failed deploys"];
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
  if (n) rows.push(row("naive stop-then-start", n.wrk, median(n.replaceMs), percentile(n.replaceMs, 95), n.failedReplacements.length));
  const widths = head.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const fmt = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("   ");
  const lines: string[] = [];
  lines.push("");
  lines.push(`bench:deploy — ${DEPLOYS} deploys, ${REPLICAS} web replicas, wrk -t1 -c${CONNECTIONS} --timeout ${WRK_TIMEOUT_S}s keep-alive through the router (127.0.0.1)`);
  lines.push(fmt(rows[0]));
  for (const r of rows.slice(1)) lines.push(fmt(r));
  lines.push("");
  lines.push("  requests = responses wrk read (includes non-2xx/3xx); failed = non-2xx/3xx + socket errors (connect/read/write/timeout).");
  lines.push("  yadokari deploy time: `yk deploy` from spawn to exit 0 (the CLI exits only when the release is live): pack, upload, cached build, start, health gate, router switch.");
  if (n) lines.push(`  naive time: docker stop (default timeout) + rm + create + start of 1 container on the same host port, until it answers 200; ${n.replaceMs.length} replacements, a 1 s pause after each.`);
  const stepNames = ["build", "start", "gate", "commit", "route"];
  const okRuns = y.deploys.filter((d) => d.ok);
  if (okRuns.length) {
    const parts = stepNames.map((k) => [k, okRuns.map((d) => d.steps[k]).filter((v): v is number => typeof v === "number")] as const).filter(([, v]) => v.length);
    const server = okRuns.map((d) => d.serverMs).filter((v): v is number => v !== null);
    const overhead = okRuns.filter((d) => d.serverMs !== null).map((d) => d.ms - (d.serverMs as number));
    lines.push(`  yadokari medians by step (server side): ${parts.map(([k, v]) => `${k} ${secs(median([...v]))}`).join(", ")}; deploy record created→finished ${secs(median(server))}; CLI start, pack, upload and log follow ${secs(median(overhead))}.`);
  }
  lines.push("");
  const c = y.checker;
  if (c) {
    const releases = [...c.bodies.keys()].length;
    lines.push(`  second counter (keepAliveLoad, ${CHECKER_CONNECTIONS} keep-alive connections from the bench process), yadokari: ${c.sent} sent, ${c.failed} failed, ${releases} distinct responses${c.failures.length ? `; first failures: ${oneLine(c.failures, 10)}` : ""}`);
  }
  if (n?.checker) lines.push(`  second counter, naive: ${n.checker.sent} sent, ${n.checker.failed} failed${n.checker.failures.length ? `; first failures: ${oneLine(n.checker.failures, 5)}` : ""}`);
  lines.push(`  after the deploys the router answered: ${y.finalBody}; old containers retired: ${y.retired ? "yes" : "NO (not within 30 s)"}`);
  if (y.wrk.endedEarly) lines.push(`  WARNING: wrk reached its ${WRK_BOUND_S} s bound before the deploys were done: part of the run had no load.`);
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
  lines.push(`targets: 0 failed ${yFailed === 0 ? "✔" : `✘ (${y.wrk.failed} by wrk, ${c?.failed ?? "-"} by keepAliveLoad)`}${failedDeploys ? `, failed deploys ✘ (${failedDeploys})` : ""}, median ≤ ${TARGET_MEDIAN_MS / 1000} s ${fast ? "✔" : "✘"} (${secs(yMed)})`);
  return { text: lines.join("\n"), ok: zero && !y.wrk.endedEarly };
}

async function main(): Promise<number> {
  installExitHandlers(45 * 60_000);
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -p tsconfig.json)`);
  try {
    log(`Yadokari: ${DEPLOYS} deploys of 2 web replicas under wrk -c${CONNECTIONS}`);
    const y = await yadokariPhase();
    // The Yadokari server, its HAProxy and containers go before the baseline runs, so the baseline has the machine to itself too.
    await runCleanup();
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
    const t = table(y, n, naiveError);
    process.stdout.write(t.text + "\n");
    return t.ok ? 0 : 1;
  } finally {
    await runCleanup();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
    // Nothing must keep the process alive after the bench (agents, timers).
    setTimeout(() => process.exit(code), 2000).unref();
  },
  async (e) => {
    process.stderr.write(`[bench] ERROR: ${(e as Error).stack ?? e}\n`);
    await runCleanup();
    process.exit(2);
  },
);
