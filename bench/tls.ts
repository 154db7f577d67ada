/**
 * bench:tls — what HTTPS through the Yadokari router costs, and what adding
 * certificates live costs. One small Node HTTP server (a child process) is
 * the app; wrk over HTTPS (SNI from the URL's hostname, put in /etc/hosts
 * with a marker and removed at the end) goes through
 *   bare    HAProxy with a hand-written TLS config (same TLS settings, one crt)
 *   router  HaproxyRouter (the config Yadokari renders, certificates live)
 * measuring new TLS handshakes per second (every request on a new
 * connection: "Connection: close") and keep-alive requests per second, runs
 * interleaved for BENCH_ROUNDS rounds, medians printed with the ratio
 * router/bare. Then, under keep-alive HTTPS load on one host, 1,000
 * certificates are added to the router at runtime: the time it takes, the
 * HAProxy worker's memory before and after, the failed requests (target 0),
 * and whether the worker is the same (no reload).
 *
 * Environment: BENCH_DURATION (seconds per run, 4), BENCH_ROUNDS (3),
 * BENCH_CONNECTIONS (50), BENCH_CERTS (1000), BENCH_LOAD_SEC (30: the load
 * during the additions).
 */
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { HaproxyRouter } from "../src/router/haproxy-router.js";
import type { DesiredCertificate, DesiredRouter } from "../src/router/types.js";
import { inspectChain } from "../src/lib/x509.js";
import { tlsGlobalLines } from "../src/router/render-tls.js";
import { freePort } from "../test/helpers/ports.js";
import { makeCa, makeCert } from "../test/helpers/certs.js";
import { addHosts } from "../test/helpers/pebble.js";
import { installExitHandlers, onCleanup, runBench } from "./lib/cleanup.js";
import { median, runChild, sleep } from "./lib/util.js";
import { parseWrk, type WrkSummary } from "./lib/wrk.js";

const HOST = `bench-tls-${process.pid}.test`;
const DURATION = Number(process.env.BENCH_DURATION ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const CERTS = Number(process.env.BENCH_CERTS ?? 1000);
const TARGET_RATIO = 0.9;
const APP_JS = `require("http").createServer((q,r)=>{r.setHeader("content-type","text/plain");r.end("ok")}).listen(Number(process.argv[1]),"127.0.0.1")`;

const log = (m: string) => console.log(`[bench:tls] ${m}`);

function tmp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(`rm ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function startApp(): Promise<number> {
  const port = await freePort();
  const child = spawn(process.execPath, ["-e", APP_JS, String(port)], { stdio: "ignore" });
  onCleanup("app", () => child.kill("SIGTERM"));
  await sleep(300);
  return port;
}

function bareConfig(port: number, pem: string, app: number): string {
  return [
    "global",
    "  maxconn 4000",
    ...tlsGlobalLines(),
    "defaults",
    "  mode http",
    "  timeout connect 3s",
    "  timeout client 30s",
    "  timeout server 30s",
    "frontend web",
    `  bind 127.0.0.1:${port} ssl crt ${pem} alpn h2,http/1.1`,
    "  http-request set-header X-Forwarded-Proto https",
    "  default_backend app",
    "backend app",
    `  server app1 127.0.0.1:${app}`,
    "",
  ].join("\n");
}

async function startBare(pem: string, app: number): Promise<number> {
  const dir = tmp("yk-bench-tls-bare-");
  const port = await freePort();
  writeFileSync(join(dir, "bench.pem"), pem, { mode: 0o600 });
  writeFileSync(join(dir, "haproxy.cfg"), bareConfig(port, join(dir, "bench.pem"), app));
  const out = openSync(join(dir, "haproxy.log"), "a");
  const child = spawn("/usr/sbin/haproxy", ["-db", "-f", join(dir, "haproxy.cfg")], { stdio: ["ignore", out, out] });
  closeSync(out);
  onCleanup("bare haproxy", async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    await Promise.race([new Promise((r) => child.once("exit", r)), sleep(5000)]);
  });
  await sleep(500);
  return port;
}

async function wrk(port: number, seconds: number, newConnections: boolean): Promise<WrkSummary> {
  const args = [
    "-t1",
    `-c${CONNECTIONS}`,
    `-d${seconds}s`,
    "--timeout",
    "5s",
    ...(newConnections ? ["-H", "Connection: close"] : []),
    `https://${HOST}:${port}/`,
  ];
  const r = await runChild("wrk", args, { timeoutMs: (seconds + 30) * 1000 });
  return parseWrk(r.output);
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : NaN;
}

async function main(): Promise<number> {
  installExitHandlers(30 * 60_000);
  onCleanup("/etc/hosts", addHosts([HOST]));
  const app = await startApp();
  const ca = await makeCa("bench:tls CA");
  const leaf = await makeCert(ca, [HOST]);
  const bench: DesiredCertificate = { name: "bench", pem: leaf.pem, fingerprint: inspectChain(leaf.chain).fingerprint };
  const bare = await startBare(leaf.pem, app);

  const dir = tmp("yk-bench-tls-router-");
  const httpPort = await freePort();
  const httpsPort = await freePort();
  const router = new HaproxyRouter({
    dir,
    httpListen: `127.0.0.1:${httpPort}`,
    httpsListen: `127.0.0.1:${httpsPort}`,
    accessLog: "off",
  });
  onCleanup("router", () => router.stop());
  const desired = (certificates: DesiredCertificate[]): DesiredRouter => ({
    hosts: { [HOST]: "app_bench_web" },
    backends: [
      {
        name: "app_bench_web",
        servers: [{ name: "w1", address: "127.0.0.1", port: app, weight: 100, state: "ready" }],
      },
    ],
    certificates,
  });
  await router.ensureRunning(desired([bench]));
  await router.apply(desired([bench]));

  // 1. Handshakes and keep-alive requests, interleaved rounds.
  const runs: Record<string, number[]> = { "bare hs": [], "router hs": [], "bare ka": [], "router ka": [] };
  let failed = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, port] of [
      ["bare", bare],
      ["router", httpsPort],
    ] as const) {
      const hs = await wrk(port, DURATION, true);
      const ka = await wrk(port, DURATION, false);
      runs[`${name} hs`].push(hs.reqPerSec);
      runs[`${name} ka`].push(ka.reqPerSec);
      failed += hs.failed + ka.failed;
    }
    log(
      `round ${round}/${ROUNDS}: handshakes/s bare ${runs["bare hs"].at(-1)} router ${runs["router hs"].at(-1)}; keep-alive req/s bare ${runs["bare ka"].at(-1)} router ${runs["router ka"].at(-1)}`,
    );
  }
  const hsRatio = median(runs["router hs"]) / median(runs["bare hs"]);
  const kaRatio = median(runs["router ka"]) / median(runs["bare ka"]);

  // 2. 1,000 certificates added live under keep-alive HTTPS load.
  log(`making ${CERTS} certificates`);
  const many: DesiredCertificate[] = [];
  for (let i = 0; i < CERTS; i++) {
    const c = await makeCert(ca, [`site-${i}.bench-tls.test`]);
    many.push({ name: `site-${i}`, pem: c.pem, fingerprint: inspectChain(c.chain).fingerprint });
  }
  const before = await router.info();
  const rssBefore = rssKb(before.workerPid);
  const loadSeconds = Number(process.env.BENCH_LOAD_SEC ?? 30);
  const loadStart = performance.now();
  const load = wrk(httpsPort, loadSeconds, false);
  await sleep(1000);
  const t0 = performance.now();
  await router.apply(desired([bench, ...many]));
  const addMs = performance.now() - t0;
  const t1 = performance.now();
  const one = await makeCert(ca, ["one-more.bench-tls.test"]);
  await router.apply(
    desired([bench, ...many, { name: "one-more", pem: one.pem, fingerprint: inspectChain(one.chain).fingerprint }]),
  );
  const oneMoreMs = performance.now() - t1;
  const after = await router.info();
  const rssAfter = rssKb(after.workerPid);
  const covered = performance.now() - loadStart < loadSeconds * 1000;
  const loaded = await load;
  const reload = after.workerPid !== before.workerPid;

  const ok = (b: boolean) => (b ? "met" : "NOT met");
  const med = (k: string) => Math.round(median(runs[k]));
  console.log("");
  console.log(`bench:tls (${ROUNDS} rounds × ${DURATION} s, ${CONNECTIONS} connections, medians)`);
  console.log(
    `  new TLS handshakes/s    bare ${med("bare hs")}  router ${med("router hs")}  ratio ${hsRatio.toFixed(2)}  target ≥ ${TARGET_RATIO}: ${ok(hsRatio >= TARGET_RATIO)}`,
  );
  console.log(
    `  keep-alive HTTPS req/s  bare ${med("bare ka")}  router ${med("router ka")}  ratio ${kaRatio.toFixed(2)}  target ≥ ${TARGET_RATIO}: ${ok(kaRatio >= TARGET_RATIO)}`,
  );
  console.log(`  failed requests in those runs: ${failed}`);
  console.log(
    `  ${CERTS} certificates added at runtime: ${(addMs / 1000).toFixed(2)} s; one more with them in place: ${Math.round(oneMoreMs)} ms; reload: ${reload ? "YES" : "no"}`,
  );
  console.log(
    `  HAProxy worker memory: ${Math.round(rssBefore / 1024)} MiB before, ${Math.round(rssAfter / 1024)} MiB with ${CERTS + 2} certificates`,
  );
  console.log(
    `  keep-alive HTTPS load during the additions: ${loaded.requests} requests, ${loaded.failed} failed  target 0: ${ok(loaded.failed === 0)}`,
  );
  if (!covered)
    console.log(
      `  the load (${loadSeconds} s) ended before the additions did: raise BENCH_LOAD_SEC for a run that covers them`,
    );
  return loaded.failed === 0 && !reload ? 0 : 1;
}

runBench(main);
