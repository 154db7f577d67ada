/**
 * bench:router — what the router costs per request, side by side with the
 * same features written by hand (issue #20).
 *
 * One small Node HTTP server (a child process, "ok" on /, 10 KB on /10k) is
 * the app. In front of it, each its own HAProxy:
 *   (a) bare      a hand-written minimal config: one server, no log
 *   (b) features  hand-written, with the router's features: one Host or 400,
 *                 the client's X-Forwarded-For dropped, X-Forwarded-*, a
 *                 request id, Host routing through a map, the same JSON log
 *   (c) router    HaproxyRouter, the config Yadokari renders with its
 *                 defaults (access log on, the HTTPS listener on)
 *   (d) no log    the same with `--access-log off`
 * plus any configs in BENCH_EXTRA_CONFIGS (see below), for trying a change.
 *
 * The measure: HAProxy's CPU time per request (`perf stat -e task-clock` on
 * its process) at a fixed rate well below saturation: wrk -t1 -c50 with a
 * pause of BENCH_DELAY_MS between requests on each connection (about 5k
 * req/s). By default (BENCH_MODE=paired) each variant runs at the same time as
 * (b), in turn, and its ratio to (b) is taken from that pair: both see the same
 * load from elsewhere on the machine, and the ratios came out 2–3x steadier
 * than with one variant at a time (BENCH_MODE=sequential) on a shared 2-core
 * machine. The order rotates each round; medians over rounds and their
 * min–max are printed. Then each target, plus the app directly, as fast as
 * it goes: requests/s and p50/p99, as context and for the direct target.
 * Every HAProxy runs in its own session, as `yadokari server` starts the
 * router's: the kernel schedules each session as its own group
 * (sched_autogroup), and one HAProxy left in the bench's session (with wrk and
 * the app) got a different share of a busy machine: the same config measured
 * p50 1.4 ms there and 2.3 ms in its own session.
 *
 * Targets: c/b ≤ 1.05 (the router costs no more than the same features
 * written by hand), and the router at ≥ 0.5× direct throughput for small
 * responses. Exit 0 when both are met, 1 when one is missed, 2 on an error.
 *
 * Environment: BENCH_ROUNDS (5), BENCH_DURATION (s per fixed-rate run, 4),
 * BENCH_SAT_DURATION (s per saturated run, 3; 0 skips them), BENCH_CONNECTIONS
 * (50), BENCH_DELAY_MS (8), BENCH_PIN ("off": nothing pinned; "load": wrk and
 * the app on the last CPU, HAProxy free: it made the ratios less steady, not
 * more, in paired runs here), BENCH_BODIES ("small,10k"),
 * BENCH_MODE (paired, sequential), BENCH_EXTRA_CONFIGS (a directory of
 * NAME.cfg templates in which {{listen}}, {{https}} (a second free port),
 * {{server}}, {{map}} and {{dir}} are replaced; `node dist/bench/router-variants.js
 * DIR` writes the router's config and variants of it there; each runs like the others, and its ratios to (b) and (c) are printed).
 */
import { spawn, type ChildProcess } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import http from "node:http";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { HaproxyRouter } from "../src/router/haproxy-router.js";
import { freePort } from "../test/helpers/ports.js";
import { installExitHandlers, onCleanup, runBench } from "./lib/cleanup.js";
import { loadRun, writeDelayScript, type LoadRun } from "./lib/cpu-per-request.js";
import { bareConfig, featuresConfig, type HandConfigOptions } from "./lib/haproxy-configs.js";
import { fmt, report, type Measured } from "./lib/router-report.js";
import { sleep } from "./lib/util.js";

const HOST = "bench.test";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DURATION = Number(process.env.BENCH_DURATION ?? 4);
const SAT_DURATION = Number(process.env.BENCH_SAT_DURATION ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DELAY_MS = Number(process.env.BENCH_DELAY_MS ?? 8);
const PIN = process.env.BENCH_PIN ?? "off";
const BODIES = (process.env.BENCH_BODIES ?? "small,10k").split(",");
const EXTRA = process.env.BENCH_EXTRA_CONFIGS ?? "";
// "paired": each variant runs at the same time as (b), so both see the same load from elsewhere (ratios 2-3x
// steadier here than one at a time); "sequential": one at a time.
const MODE = process.env.BENCH_MODE ?? "paired";

// The app: "ok" on /, 10 KB on /10k, keep-alive as Node does by default.
const APP_JS = `const b=Buffer.alloc(10240,120);require("http").createServer((q,r)=>{r.setHeader("content-type","text/plain");r.end(q.url==="/10k"?b:"ok")}).listen(Number(process.argv[1]),"127.0.0.1")`;
const BODY_PATH: Record<string, { path: string; bytes: number }> = {
  small: { path: "/", bytes: 2 },
  "10k": { path: "/10k", bytes: 10240 },
};

interface Target {
  key: string;
  label: string;
  port: number;
  /** HAProxy's pid (the worker's for the router); null for the app itself */
  pid: number | null;
  /** its log file, checked to grow when it should log */
  log: string | null;
}

/** GET → [status, body length], or null on a network error. fetch() will not send a custom Host header; http.get does. */
function fetchLength(port: number, path = "/"): Promise<[number, number] | null> {
  return new Promise((resolve) => {
    const req = http.get(
      { host: "127.0.0.1", port, path, headers: { host: HOST }, agent: false, timeout: 1000 },
      (res) => {
        let n = 0;
        res.on("data", (d: Buffer) => (n += d.length));
        res.on("end", () => resolve([res.statusCode ?? 0, n]));
        res.on("error", () => resolve(null));
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(null));
  });
}

async function waitHttp(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await fetchLength(port))?.[0] !== 200) {
    if (Date.now() > deadline) throw new Error(`127.0.0.1:${port} did not answer 200 within ${timeoutMs} ms`);
    await sleep(100);
  }
}

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(`rm ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A child process stopped at the end (SIGTERM, then SIGKILL), by its own handle only. */
function startChild(label: string, argv: string[], logFile: string, ownSession = false): ChildProcess {
  const fd = openSync(logFile, "a");
  const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", fd, fd], detached: ownSession });
  closeSync(fd);
  onCleanup(label, async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    await Promise.race([new Promise((r) => child.once("exit", r)), sleep(5000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return child;
}

async function startApp(dir: string, cpu: number | null): Promise<number> {
  const port = await freePort();
  const node = [process.execPath, "-e", APP_JS, String(port)];
  startChild("app", cpu === null ? node : ["taskset", "-c", String(cpu), ...node], join(dir, "app.log"));
  await waitHttp(port, 10_000);
  return port;
}

/** A hand-written config as its own HAProxy (one process, its threads), run in the foreground. */
async function startHand(
  key: string,
  label: string,
  render: (o: HandConfigOptions) => string,
  appPort: number,
): Promise<Target> {
  const dir = tempDir(`yk-bench-${key}-`);
  const port = await freePort();
  const map = join(dir, "hosts.map");
  writeFileSync(map, `${HOST} app\n`);
  const cfg = join(dir, "haproxy.cfg");
  const opts = { listen: `127.0.0.1:${port}`, httpsListen: `127.0.0.1:${await freePort()}`, mapFile: map };
  writeFileSync(cfg, render({ ...opts, server: `127.0.0.1:${appPort}`, host: HOST }));
  const log = join(dir, "haproxy.log");
  // In its own session, as the router's HAProxy runs: the kernel then schedules each as its own group
  // (sched_autogroup), and on a busy machine a group gets less CPU than the bench's one (wrk, the app).
  const child = startChild(`haproxy ${key}`, ["/usr/sbin/haproxy", "-db", "-f", cfg], log, true);
  await waitHttp(port, 10_000);
  // Only a config with a log-format logging to stdout writes access log lines to this file (else: startup messages).
  const text = readFileSync(cfg, "utf8");
  return {
    key,
    label,
    port,
    pid: child.pid!,
    log: /^\s*log-format\b/m.test(text) && /^\s*log stdout\b/m.test(text) ? log : null,
  };
}

/** BENCH_EXTRA_CONFIGS: NAME.cfg templates, for measuring a change side by side. */
function extraTemplates(): { name: string; render: (o: HandConfigOptions) => string }[] {
  if (!EXTRA) return [];
  return readdirSync(EXTRA)
    .filter((f) => f.endsWith(".cfg"))
    .sort()
    .map((f) => {
      const text = readFileSync(join(EXTRA, f), "utf8");
      return {
        name: f.slice(0, -4),
        render: (o: HandConfigOptions) =>
          text
            .replaceAll("{{listen}}", o.listen)
            .replaceAll("{{server}}", o.server)
            .replaceAll("{{map}}", o.mapFile)
            .replaceAll("{{https}}", o.httpsListen)
            .replaceAll("{{dir}}", join(o.mapFile, "..")),
      };
    });
}

async function startRouter(key: string, label: string, accessLog: "stdout" | "off", appPort: number): Promise<Target> {
  const dir = tempDir(`yk-bench-${key}-`);
  const port = await freePort();
  const httpsPort = await freePort();
  // As `yadokari server` runs it by default: the HTTPS listener on (no certificate yet), the log as asked.
  const router = new HaproxyRouter({
    dir,
    httpListen: `127.0.0.1:${port}`,
    httpsListen: `127.0.0.1:${httpsPort}`,
    accessLog,
  });
  onCleanup(`router ${key}`, () => router.stop());
  const desired = {
    hosts: { [HOST]: "app_bench_web" },
    backends: [
      {
        name: "app_bench_web",
        servers: [{ name: "bench-web-1", address: "127.0.0.1", port: appPort, weight: 100, state: "ready" as const }],
      },
    ],
  };
  await router.ensureRunning(desired);
  await router.apply(desired);
  await waitHttp(port, 10_000);
  return { key, label, port, pid: (await router.info()).workerPid, log: accessLog === "off" ? null : router.paths.log };
}

const put = <T>(m: Map<string, T[]>, k: string, v: T) => m.set(k, [...(m.get(k) ?? []), v]);

async function main(): Promise<number> {
  for (const bin of ["/usr/bin/wrk", "/usr/bin/perf", "/usr/sbin/haproxy"])
    if (!existsSync(bin)) throw new Error(`${bin} is missing (scripts/setup.sh installs it)`);
  installExitHandlers(30 * 60_000);
  const ncpu = cpus().length;
  const loadCpu = PIN === "load" && ncpu > 1 ? ncpu - 1 : null;
  const dir = tempDir("yk-bench-router-");
  const script = writeDelayScript(dir, DELAY_MS);
  const appPort = await startApp(dir, loadCpu);

  const proxies: Target[] = [
    await startHand("a", "(a) bare", bareConfig, appPort),
    await startHand("b", "(b) features", featuresConfig, appPort),
    await startRouter("c", "(c) router", "stdout", appPort),
    await startRouter("d", "(d) router, log off", "off", appPort),
  ];
  for (const t of extraTemplates()) proxies.push(await startHand(`x-${t.name}`, t.name, t.render, appPort));
  const direct: Target = { key: "direct", label: "direct to the app", port: appPort, pid: null, log: null };
  const bodies = BODIES.map((b) => {
    if (!BODY_PATH[b]) throw new Error(`BENCH_BODIES: unknown body ${b} (small, 10k)`);
    return { name: b, ...BODY_PATH[b] };
  });

  // Every target must serve the same bytes, or the comparison means nothing.
  for (const t of [direct, ...proxies])
    for (const b of bodies) {
      const got = await fetchLength(t.port, b.path);
      if (got?.[0] !== 200 || got[1] !== b.bytes)
        throw new Error(`${t.label} answers ${b.path} with ${JSON.stringify(got)}, not 200 and ${b.bytes} bytes`);
    }

  const groups =
    MODE === "paired" ? proxies.filter((t) => t.key !== "b").map((t) => [proxies[1], t]) : proxies.map((t) => [t]);
  console.log(
    `[bench:router] HAProxy CPU per request: perf stat -e task-clock on each HAProxy during wrk -t1 -c${CONNECTIONS} ` +
      `-d${DURATION}s with a ${DELAY_MS} ms pause per request per connection; ${ROUNDS} rounds, ` +
      (MODE === "paired" ? "each variant run at the same time as (b), in turn" : "one variant at a time, in turn") +
      `; ${ncpu} CPUs, ${loadCpu === null ? "nothing pinned" : `wrk and the app pinned to CPU ${loadCpu}`}`,
  );
  const url = (t: Target, path: string) => `http://127.0.0.1:${t.port}${path}`;
  const run = (t: Target, path: string, seconds: number, fixedRate: boolean, pid = t.pid) =>
    loadRun({
      url: url(t, path),
      host: HOST,
      seconds,
      connections: CONNECTIONS,
      pid,
      script: fixedRate ? script : null,
      cpu: loadCpu,
    });
  const m: Measured = { fixed: new Map(), saturated: new Map(), vsFeatures: new Map() };
  const logSizes = () => proxies.map((t) => (t.log && existsSync(t.log) ? statSync(t.log).size : 0));

  for (const b of bodies) for (const t of proxies) await run(t, b.path, 1, true, null); // warm-up: pools, the app's JIT
  const logsBefore = logSizes();
  for (let round = 1; round <= ROUNDS; round++) {
    for (const b of bodies) {
      // Rotate the order each round so that no variant always runs right after another.
      const order = groups.map((_, i) => groups[(i + round - 1) % groups.length]);
      const inRound = new Map<string, LoadRun>();
      for (const group of order) {
        const runs = await Promise.all(group.map((t) => run(t, b.path, DURATION, true)));
        group.forEach((t, i) => {
          put(m.fixed, `${t.key}|${b.name}`, runs[i]);
          inRound.set(t.key, runs[i]);
          // Paired: the ratio to (b) measured at the same time, under the same load from elsewhere.
          if (group.length === 2 && i === 1)
            put(m.vsFeatures, `${t.key}|${b.name}`, runs[1].usPerRequest / runs[0].usPerRequest);
        });
        console.log(
          `[bench:router] round ${round} ${b.name.padEnd(5)} ` +
            group
              .map((t, i) => `${t.label} ${fmt(runs[i].usPerRequest, 1)} µs/req at ${fmt(runs[i].reqPerSec)} req/s`)
              .join(", "),
        );
      }
      if (MODE !== "paired")
        for (const t of proxies)
          put(m.vsFeatures, `${t.key}|${b.name}`, inRound.get(t.key)!.usPerRequest / inRound.get("b")!.usPerRequest);
      if (SAT_DURATION > 0)
        for (const t of [direct, ...proxies])
          put(m.saturated, `${t.key}|${b.name}`, await run(t, b.path, SAT_DURATION, false));
    }
  }
  const logsAfter = logSizes();
  proxies.forEach((t, i) => {
    if (t.log && logsAfter[i] <= logsBefore[i]) throw new Error(`${t.label} wrote no access log line during the runs`);
  });
  return report(m, { bodies: bodies.map((b) => b.name), direct, proxies, rounds: ROUNDS, saturated: SAT_DURATION > 0 });
}

runBench(main);
