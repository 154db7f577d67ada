/**
 * bench:upgrade — an upgrade from the previous released version to this
 * checkout under keep-alive load: the old server (built from BENCH_OLD_REF,
 * default 40f6315, Yadokari 0.1.0, in a temporary directory) deploys
 * BENCH_APPS apps (3); then, with load running through the router, the old
 * server gets SIGTERM and this version's server starts on the same data dir
 * (migrating the store, adopting HAProxy). Prints requests and failures.
 * Target: 0 failed requests. Also times a same-version restart under load.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES, ROOT, removeAppLeftovers } from "../test/helpers/yadokari.js";
import { waitFor } from "../test/helpers/http.js";
import { keepAliveLoad } from "../test/helpers/load.js";
import { freePort } from "../test/helpers/ports.js";
import { packTarGz } from "../src/cli/pack.js";
import { run } from "../src/lib/run.js";
import { installExitHandlers, onCleanup, runBench } from "./lib/cleanup.js";
import { secs, sleep } from "./lib/util.js";

const OLD_REF = process.env.BENCH_OLD_REF ?? "40f6315";
const APPS = Number(process.env.BENCH_APPS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

async function main(): Promise<number> {
  installExitHandlers(30 * 60_000);
  const old = mkdtempSync(join(tmpdir(), "yk-bench-old-"));
  onCleanup("old checkout", () => rmSync(old, { recursive: true, force: true }));
  log(`building ${OLD_REF} in ${old}`);
  const archive = spawn("git", ["-C", ROOT, "archive", OLD_REF], { stdio: ["ignore", "pipe", "inherit"] });
  const untar = spawn("tar", ["-x", "-C", old], { stdio: ["pipe", "inherit", "inherit"] });
  archive.stdout.pipe(untar.stdin);
  await new Promise((r) => untar.on("close", r));
  if (!existsSync(join(old, "package.json")))
    throw new Error(`git archive ${OLD_REF} failed (is this a git checkout with history?)`);
  symlinkSync(join(ROOT, "node_modules"), join(old, "node_modules"));
  const tsc = await run(
    process.execPath,
    [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(old, "tsconfig.json")],
    { timeoutMs: 300_000 },
  );
  if (tsc.code !== 0) throw new Error(`tsc of ${OLD_REF}: ${tsc.stdout}`);
  const oldVersion = JSON.parse(readFileSync(join(old, "package.json"), "utf8")).version;
  const newVersion = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;

  const dataDir = mkdtempSync(join(tmpdir(), "yk-bench-upgrade-"));
  const [apiPort, httpPort, httpsPort] = [await freePort(), await freePort(), await freePort()];
  const url = `http://127.0.0.1:${apiPort}`;
  let child: ChildProcess | null = null;
  const start = async (cli: string, extra: string[]) => {
    const out = openSync(join(dataDir, "server.log"), "a");
    child = spawn(
      process.execPath,
      [
        cli,
        "server",
        "--data-dir",
        dataDir,
        "--api-listen",
        `127.0.0.1:${apiPort}`,
        "--http-listen",
        `127.0.0.1:${httpPort}`,
        "--domain",
        "yk.test",
        ...extra,
      ],
      {
        stdio: ["ignore", out, out],
        env: { ...process.env, YADOKARI_DRAIN_TIMEOUT: "5" },
      },
    );
    const c = child;
    await waitFor(
      "the server",
      async () => {
        if (c.exitCode !== null) throw new Error(readFileSync(join(dataDir, "server.log"), "utf8").slice(-1500));
        return (await fetch(`${url}/api/v1/health`)).ok;
      },
      60_000,
      100,
    );
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGTERM");
    await exited;
  };
  const apps = Array.from({ length: APPS }, (_, i) => `upg${i}`);
  onCleanup("servers", async () => {
    await stop();
    const pid = Number(readFileSync(join(dataDir, "router", "haproxy.pid"), "utf8").trim());
    if (pid > 1) process.kill(pid, "SIGTERM");
    for (const a of apps) await removeAppLeftovers(a);
    rmSync(dataDir, { recursive: true, force: true });
  });

  await start(join(old, "dist/src/main/cli.js"), []);
  const token = readFileSync(join(dataDir, "admin-token"), "utf8").trim();
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  for (const a of apps) {
    await api("POST", "/apps", { name: a });
    const { data } = await packTarGz(join(FIXTURES, "good"));
    const r = await fetch(`${url}/api/v1/apps/${a}/builds`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/gzip" },
      body: new Uint8Array(data),
    });
    const d = (await r.json()) as { id: number };
    await waitFor(
      `deploy of ${a}`,
      async () => {
        const x = (await (await api("GET", `/apps/${a}/deploys/${d.id}`)).json()) as { status: string };
        if (x.status === "failed") throw new Error(`deploy of ${a} failed`);
        return x.status === "succeeded";
      },
      120_000,
      200,
    );
  }
  log(`${APPS} apps deployed with Yadokari ${oldVersion}`);

  const measure = async (label: string, replace: () => Promise<void>) => {
    const loads = apps.map((a) =>
      keepAliveLoad({
        port: httpPort,
        host: `${a}.yk.test`,
        connections: Math.max(1, Math.round(CONNECTIONS / APPS)),
        maxRequests: 10_000_000,
        maxMs: 300_000,
      }),
    );
    await sleep(2000);
    const t0 = Date.now();
    await replace();
    const replacedMs = Date.now() - t0;
    await sleep(3000);
    const results = await Promise.all(loads.map((l) => l.stop()));
    const sent = results.reduce((n, r) => n + r.sent, 0);
    const failed = results.reduce((n, r) => n + r.failed, 0);
    return { label, replacedMs, sent, failed, failures: results.flatMap((r) => r.failures).slice(0, 5) };
  };
  const upgrade = await measure(`upgrade ${oldVersion} (${OLD_REF}) → ${newVersion} (this checkout)`, async () => {
    await stop();
    await start(join(ROOT, "dist/src/main/cli.js"), ["--https-listen", `127.0.0.1:${httpsPort}`]);
  });
  const restart = await measure(`restart of this version (${newVersion})`, async () => {
    await stop();
    await start(join(ROOT, "dist/src/main/cli.js"), ["--https-listen", `127.0.0.1:${httpsPort}`]);
  });
  process.stdout.write(
    `\nbench:upgrade — ${APPS} apps under keep-alive load (${CONNECTIONS} connections) through the router while the server is replaced\n`,
  );
  let ok = true;
  for (const m of [upgrade, restart]) {
    process.stdout.write(
      `  ${m.label.padEnd(60)} server replaced in ${secs(m.replacedMs)}; ${m.sent} requests, ${m.failed} failed${m.failures.length ? ` (${m.failures.join("; ")})` : ""}\n`,
    );
    ok &&= m.failed === 0;
  }
  const reloads = readFileSync(join(dataDir, "server.log"), "utf8").match(/router (started|adopted)[^\n]*/g) ?? [];
  process.stdout.write(`  router at each start: ${reloads.join(" | ")}\n`);
  process.stdout.write(`target: 0 failed requests during an upgrade: ${upgrade.failed === 0 ? "met" : "MISSED"}\n`);
  return ok ? 0 : 1;
}

runBench(main);
