/**
 * bench:router — what the router costs. One tiny Node HTTP server in a
 * container (yadokari-local/node:20) on a bench network; wrk (keep-alive,
 * --latency) against it three ways, for a small body and a 10 KB body:
 *   direct  wrk → container IP
 *   bare    wrk → HAProxy with a hand-written minimal config → container
 *   hand-written  the same with what a team's own multi-app config does: Host
 *           routing, X-Forwarded-For, an access log (shown for context; the
 *           target is judged against the minimal one)
 *   router  wrk → HaproxyRouter (the config Yadokari renders, access log on) → container
 *   router, no log  the same with `--access-log off`, to show what the log costs
 * Prints requests/s, p50 and p99 latency, and the ratios router/bare and
 * router/direct. Targets: router ≥ 0.90× bare, ≥ 0.45× direct (small body).
 * Everything it creates is labelled yadokari.bench=1 and removed at the end,
 * also on error or Ctrl-C.
 *
 * Runs are interleaved (direct, bare, router, direct, ...) for BENCH_ROUNDS
 * rounds and the median of each is printed, so that a burst of load from
 * something else on the machine does not decide a ratio by itself.
 *
 * Environment: BENCH_DURATION (seconds per run, 4), BENCH_ROUNDS (5),
 * BENCH_CONNECTIONS (50).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Docker from "dockerode";
import { run } from "../src/lib/run.js";
import { HaproxyRouter } from "../src/router/haproxy-router.js";
import { freePort } from "../test/helpers/ports.js";

const IMAGE = "yadokari-local/node:20";
const LABEL = "yadokari.bench";
const HOST = "bench.test";
const DURATION = Number(process.env.BENCH_DURATION ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

// The app: "ok" on /, 10 KB on /10k, keep-alive as Node does by default.
const APP_JS = `const b=Buffer.alloc(10240,120);require("http").createServer((q,r)=>{if(q.url==="/10k"){r.setHeader("content-type","text/plain");r.end(b)}else{r.setHeader("content-type","text/plain");r.end("ok")}}).listen(5000,"0.0.0.0")`;

interface Figures {
  rps: number;
  p50ms: number;
  p99ms: number;
  failed: number;
}

const cleanups: (() => Promise<void> | void)[] = [];
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function cleanup(): Promise<void> {
  while (cleanups.length) {
    try {
      await cleanups.pop()!();
    } catch (e) {
      process.stderr.write(`[bench:router] cleanup: ${(e as Error).message}\n`);
    }
  }
}

/** GET → [status, body length], or null on a network error. fetch() will not send a custom Host header; http.get does. */
function fetchLength(host: string, port: number, hostHeader: string, path = "/"): Promise<[number, number] | null> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path, headers: { host: hostHeader }, agent: false, timeout: 1000 }, (res) => {
      let n = 0;
      res.on("data", (d: Buffer) => (n += d.length));
      res.on("end", () => resolve([res.statusCode ?? 0, n]));
      res.on("error", () => resolve(null));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(null));
  });
}

const get200 = async (host: string, port: number, hostHeader: string) =>
  (await fetchLength(host, port, hostHeader))?.[0] === 200;

/** Polls until GET / answers 200, bounded. */
async function waitHttp(host: string, port: number, hostHeader: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await get200(host, port, hostHeader))) {
    if (Date.now() > deadline)
      throw new Error(`http://${host}:${port}/ (Host: ${hostHeader}) did not answer 200 within ${timeoutMs} ms`);
    await sleep(100);
  }
}

const UNIT_MS: Record<string, number> = { us: 1e-3, ms: 1, s: 1000, m: 60_000 };
const toMs = (v: string) => {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(v);
  return m ? Number(m[1]) * UNIT_MS[m[2]] : NaN;
};

function parseWrkOutput(out: string): Figures {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const pct = (p: string) => new RegExp(`^\\s+${p}%\\s+(\\S+)`, "m").exec(out)?.[1];
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const sockErrors = sock ? sock.slice(1, 5).reduce((a, b) => a + Number(b), 0) : 0;
  if (!rps) throw new Error(`wrk printed no summary:\n${out.slice(-1500)}`);
  return {
    rps: Number(rps[1]),
    p50ms: toMs(pct("50") ?? ""),
    p99ms: toMs(pct("99") ?? ""),
    failed: non2xx + sockErrors,
  };
}

async function wrk(url: string, host: string, seconds = DURATION): Promise<Figures> {
  const args = ["-t1", `-c${CONNECTIONS}`, `-d${seconds}s`, "--latency", "-H", `Host: ${host}`, url];
  const r = await run("wrk", args, { timeoutMs: (seconds + 30) * 1000 });
  if (r.code !== 0) throw new Error(`wrk exited with ${r.code ?? r.signal}: ${r.stderr || r.stdout}`);
  return parseWrkOutput(r.stdout);
}

async function ensureImage(docker: Docker): Promise<void> {
  try {
    await docker.getImage(IMAGE).inspect();
  } catch {
    console.log(`[bench:router] ${IMAGE} is missing; building it with scripts/base-images.sh`);
    const r = await run("bash", [join(ROOT, "scripts", "base-images.sh")], { timeoutMs: 300_000 });
    if (r.code !== 0) throw new Error(`scripts/base-images.sh failed: ${r.stderr.slice(-1000)}`);
  }
}

/** Removes what an earlier, interrupted run left (only things with our label). */
async function removeLeftovers(docker: Docker): Promise<void> {
  const filters = JSON.stringify({ label: [`${LABEL}=1`] });
  for (const c of await docker.listContainers({ all: true, filters })) {
    if (c.Labels?.["yadokari.bench.kind"] === "router") await docker.getContainer(c.Id).remove({ force: true });
  }
  for (const n of await docker.listNetworks({ filters })) {
    if (n.Labels?.["yadokari.bench.kind"] === "router")
      await docker
        .getNetwork(n.Id)
        .remove()
        .catch(() => undefined);
  }
}

async function startContainer(docker: Docker): Promise<string> {
  const labels = { [LABEL]: "1", "yadokari.bench.kind": "router" };
  const netName = `yk-bench-router-${process.pid}`;
  const network = await docker.createNetwork({ Name: netName, Driver: "bridge", Labels: labels, CheckDuplicate: true });
  cleanups.push(() => network.remove());
  const container = await docker.createContainer({
    Image: IMAGE,
    Cmd: ["node", "-e", APP_JS],
    Labels: labels,
    HostConfig: { NetworkMode: netName, Init: true },
  });
  cleanups.push(() => container.remove({ force: true }));
  await container.start();
  const info = await container.inspect();
  const ip = info.NetworkSettings.Networks[netName]?.IPAddress;
  if (!ip) throw new Error("the bench container has no IP on its network");
  await waitHttp(ip, 5000, HOST, 15_000);
  return ip;
}

function bareConfig(port: number, ip: string): string {
  // What a hand-written config for one app looks like: keep-alive both sides
  // (the default), one server, no logging, no header rewriting.
  return [
    "global",
    "  maxconn 4000",
    "defaults",
    "  mode http",
    "  timeout connect 3s",
    "  timeout client 30s",
    "  timeout server 30s",
    "frontend web",
    `  bind 127.0.0.1:${port}`,
    "  default_backend app",
    "backend app",
    `  server app1 ${ip}:5000`,
    "",
  ].join("\n");
}

// What a team's own config for several apps on one host does (the setup Yadokari replaces):
// Host routing, X-Forwarded-For, an access log. Shown beside the minimal one, not instead of it.
function handWrittenConfig(port: number, ip: string): string {
  return [
    "global",
    "  maxconn 4000",
    "  log stdout format raw local0",
    "defaults",
    "  mode http",
    "  log global",
    "  option httplog",
    "  option forwardfor",
    "  timeout connect 3s",
    "  timeout client 30s",
    "  timeout server 30s",
    "frontend web",
    `  bind 127.0.0.1:${port}`,
    `  use_backend app if { hdr(host) -i ${HOST} }`,
    "  default_backend none",
    "backend app",
    `  server app1 ${ip}:5000`,
    "backend none",
    "  http-request return status 404",
    "",
  ].join("\n");
}

async function startBare(ip: string, config: (port: number, ip: string) => string = bareConfig): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "yk-bench-bare-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const cfg = join(dir, "haproxy.cfg");
  writeFileSync(cfg, config(port, ip));
  const log = openSync(join(dir, "haproxy.log"), "a");
  const child: ChildProcess = spawn("/usr/sbin/haproxy", ["-db", "-f", cfg], { stdio: ["ignore", log, log] });
  closeSync(log);
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await Promise.race([new Promise((r) => child.once("exit", r)), sleep(5000)]);
    }
  });
  await waitHttp("127.0.0.1", port, HOST, 10_000);
  return port;
}

async function startRouter(ip: string, accessLog: "stdout" | "off"): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "yk-bench-router-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const router = new HaproxyRouter({ dir, httpListen: `127.0.0.1:${port}`, accessLog });
  cleanups.push(() => router.stop());
  const desired = {
    hosts: { [HOST]: "app_bench_web" },
    backends: [
      {
        name: "app_bench_web",
        servers: [{ name: "bench-web-1", address: ip, port: 5000, weight: 100, state: "ready" as const }],
      },
    ],
  };
  await router.ensureRunning(desired);
  await router.apply(desired);
  await waitHttp("127.0.0.1", port, HOST, 10_000);
  return port;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "-");
const pad = (s: string, n: number) => s.padStart(n);

async function main(): Promise<number> {
  if (!existsSync("/usr/bin/wrk")) throw new Error("wrk is not installed (apt-get install wrk)");
  const docker = new Docker();
  await ensureImage(docker);
  await removeLeftovers(docker);
  const ip = await startContainer(docker);
  const barePort = await startBare(ip);
  const handPort = await startBare(ip, handWrittenConfig);
  const routerPort = await startRouter(ip, "stdout");
  const quietPort = await startRouter(ip, "off");

  const targets = [
    { name: "direct", base: `http://${ip}:5000` },
    { name: "bare haproxy", base: `http://127.0.0.1:${barePort}` },
    { name: "hand-written", base: `http://127.0.0.1:${handPort}` },
    { name: "yadokari router", base: `http://127.0.0.1:${routerPort}` },
    // The same without the access log (one write() per request), to show what logging costs.
    { name: "router, no log", base: `http://127.0.0.1:${quietPort}` },
  ];
  const bodies = [
    { name: "small", path: "/" },
    { name: "10 KB", path: "/10k" },
  ];
  // Every target must serve the same bytes, or the comparison means nothing.
  for (const t of targets) {
    const u = new URL(t.base);
    const small = await fetchLength(u.hostname, Number(u.port), HOST, "/");
    const big = await fetchLength(u.hostname, Number(u.port), HOST, "/10k");
    if (small?.[1] !== 2 || big?.[1] !== 10240)
      throw new Error(`${t.name} does not serve the expected bodies: ${JSON.stringify([small, big])}`);
  }
  const runs = new Map<string, Figures[]>();
  const cpus = (await run("nproc", [])).stdout.trim();
  console.log(
    `[bench:router] wrk -t1 -c${CONNECTIONS} -d${DURATION}s --latency, keep-alive, ${ROUNDS} interleaved rounds; ${cpus} CPUs shared by wrk, HAProxy and the app`,
  );
  for (let round = 1; round <= ROUNDS; round++) {
    for (const body of bodies) {
      // Rotate the order each round so that no target always runs right after another.
      for (const t of targets.map((_, i) => targets[(i + round - 1) % targets.length])) {
        if (round === 1) await wrk(`${t.base}${body.path}`, HOST, 2); // warm-up (JIT, connection pools)
        const f = await wrk(`${t.base}${body.path}`, HOST);
        const key = `${t.name}|${body.name}`;
        runs.set(key, [...(runs.get(key) ?? []), f]);
        console.log(`[bench:router] round ${round} ${body.name.padEnd(6)} ${t.name.padEnd(16)} ${fmt(f.rps)} req/s`);
      }
    }
  }
  const results = new Map<string, Figures>();
  for (const [key, list] of runs) {
    results.set(key, {
      rps: median(list.map((f) => f.rps)),
      p50ms: median(list.map((f) => f.p50ms)),
      p99ms: median(list.map((f) => f.p99ms)),
      failed: list.reduce((a, f) => a + f.failed, 0),
    });
  }

  console.log("");
  console.log(`medians of ${ROUNDS} rounds:`);
  console.log(
    `${"body".padEnd(7)}${"target".padEnd(17)}${pad("req/s", 9)}${pad("p50 ms", 9)}${pad("p99 ms", 9)}${pad("failed", 8)}`,
  );
  for (const body of bodies) {
    for (const t of targets) {
      const f = results.get(`${t.name}|${body.name}`)!;
      console.log(
        `${body.name.padEnd(7)}${t.name.padEnd(17)}${pad(fmt(f.rps), 9)}${pad(fmt(f.p50ms, 2), 9)}${pad(fmt(f.p99ms, 2), 9)}${pad(String(f.failed), 8)}`,
      );
    }
  }
  console.log("");
  let ok = true;
  for (const body of bodies) {
    const get = (n: string) => results.get(`${n}|${body.name}`)!.rps;
    const vsBare = get("yadokari router") / get("bare haproxy");
    const vsDirect = get("yadokari router") / get("direct");
    const vsHand = get("yadokari router") / get("hand-written");
    const quietVsBare = get("router, no log") / get("bare haproxy");
    const bareOk = vsBare >= 0.9;
    const directOk = body.name !== "small" || vsDirect >= 0.45;
    ok &&= bareOk && directOk;
    console.log(
      `${body.name.padEnd(7)}router/bare ${fmt(vsBare, 2)} (target ≥ 0.90: ${bareOk ? "met" : "MISSED"})   router/direct ${fmt(vsDirect, 2)}${body.name === "small" ? ` (target ≥ 0.45: ${directOk ? "met" : "MISSED"})` : ""}   router/hand-written ${fmt(vsHand, 2)}   (no log)/bare ${fmt(quietVsBare, 2)}`,
    );
  }
  const failed = [...results.values()].reduce((a, f) => a + f.failed, 0);
  if (failed > 0) console.log(`failed requests: ${failed}`);
  return ok && failed === 0 ? 0 : 1;
}

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    void cleanup().then(() => process.exit(130));
  });
}

main()
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  })
  .catch(async (e: unknown) => {
    console.error(`[bench:router] ${(e as Error).stack ?? String(e)}`);
    await cleanup();
    process.exit(2);
  });
