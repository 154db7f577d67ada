/**
 * bench:coldstart — Yadokari's own operation with BENCH_APPS apps (50) on a
 * dockerd of its own in a network namespace (the host's is never restarted):
 *
 * 1. cold start after dockerd restarted (every container stopped; Docker
 *    restarts them, the server re-addresses and routes them): from starting
 *    the server to every app answering through the router;
 * 2. cold start with the containers lost (the server starts every app, web
 *    first, YADOKARI_START_CONCURRENCY at a time);
 * 3. backup with and without images: time and size;
 * 4. restore of the backup with images on a "new host" (every container and
 *    image removed, a new data dir): restore time, then server start to every
 *    app serving.
 *
 * Target (the "done when"): every app serves again without anyone
 * acting; the figures are reported. Exits 1 if an app does not serve within
 * BENCH_BOUND_SEC (180).
 */
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, TestServer } from "../test/helpers/yadokari.js";
import { waitFor } from "../test/helpers/http.js";
import { PrivateDocker } from "../test/helpers/private-docker.js";
import { tinyAppSource } from "../test/helpers/tiny-app.js";
import { run } from "../src/lib/run.js";
import { installExitHandlers, onCleanup, runBench } from "./lib/cleanup.js";
import { secs } from "./lib/util.js";

const APPS = Number(process.env.BENCH_APPS ?? 50);
const BOUND_MS = Number(process.env.BENCH_BOUND_SEC ?? 180) * 1000;
if (!(Number.isInteger(APPS) && APPS >= 1 && APPS <= 500)) throw new Error("BENCH_APPS must be 1..500");
const CLI = join(ROOT, "dist/src/main/cli.js");
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const names = Array.from({ length: APPS }, (_, i) => `cs${String(i).padStart(3, "0")}`);

function get(host: string, port: number, hostHeader: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host, port, path: "/", headers: { host: hostHeader }, agent: false, timeout: 3000 },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

async function main(): Promise<number> {
  installExitHandlers(60 * 60_000);
  const figures: [string, string][] = [];
  let ok = true;
  const pd = await PrivateDocker.create(["yadokari-local/busybox:1"]);
  onCleanup("private dockerd", () => pd.destroy());
  const work = mkdtempSync(join(tmpdir(), "yk-bench-cold-"));
  onCleanup("work dir", () => rmSync(work, { recursive: true, force: true }));
  const web = tinyAppSource();
  const withWorker = tinyAppSource({ worker: true });
  onCleanup("sources", () => [web, withWorker].forEach((d) => rmSync(d, { recursive: true, force: true })));
  let s: TestServer | null = null;
  const start = async (dataDir?: string) => {
    s = await TestServer.start({
      https: false,
      env: { YADOKARI_DOCKER_SOCKET: pd.socketPath },
      netns: { host: pd.address, prefix: pd.prefix, apiPort: 7700, httpPort: 8080 },
      dataDir,
    });
    return s;
  };
  onCleanup("server", async () => {
    if (!s) return;
    await s.stop();
    const pid = s.routerPid();
    if (pid) process.kill(pid, "SIGKILL");
  });
  const servingCount = async (srv: TestServer) => {
    let n = 0;
    for (let i = 0; i < names.length; i += 25)
      n += (
        await Promise.all(
          names.slice(i, i + 25).map((a) => get(srv.host, srv.httpPort, `${a}.${srv.domain}`).catch(() => null)),
        )
      ).filter((r, k) => r?.status === 200 && r.body.trim() === `${names[i + k]} v1`).length;
    return n;
  };
  const untilAllServe = async (srv: TestServer, what: string) => {
    const t0 = Date.now();
    try {
      await waitFor(what, async () => (await servingCount(srv)) === APPS, BOUND_MS, 250);
    } catch {
      ok = false;
      log(`${what}: only ${await servingCount(srv)}/${APPS} apps serve after ${secs(BOUND_MS)}`);
    }
    return Date.now() - t0;
  };

  let srv = await start();
  const t0 = Date.now();
  for (const [i, app] of names.entries()) {
    await srv.createApp(app);
    const d = await srv.deploy(app, i % 5 === 0 ? withWorker : web);
    if (d.status !== "succeeded") throw new Error(`deploy ${app}: ${JSON.stringify(d)}`);
    if (i % 10 === 9) log(`${i + 1}/${APPS} apps deployed`);
  }
  await untilAllServe(srv, "every app to serve after its deploy");
  log(`${APPS} apps (${Math.ceil(APPS / 5)} with a worker) deployed in ${secs(Date.now() - t0)}`);

  const coldStart = async (what: string, between: () => Promise<void>) => {
    await srv.stop();
    process.kill(srv.routerPid()!, "SIGKILL");
    await between();
    const started = Date.now();
    srv = await start(srv.dataDir);
    await untilAllServe(srv, `every app to serve after ${what}`);
    const ms = Date.now() - started;
    const clock = await waitFor(
      "the server's cold-start clock",
      async () => {
        const b = (await srv.api("GET", "/status")).body;
        return b.coldStart.durationMs !== null ? b.coldStart.durationMs : null;
      },
      BOUND_MS,
    ).catch(() => null);
    figures.push([`cold start, ${what}: server start → all ${APPS} apps answering`, secs(ms)]);
    figures.push([
      `  the server's own clock (process start → every app at its formation, workers too)`,
      clock === null ? "-" : secs(clock),
    ]);
    log(
      `cold start (${what}): ${secs(ms)} (server clock ${clock === null ? "-" : secs(clock)}, started ${new Date(started).toISOString()})`,
    );
  };

  await coldStart("dockerd restarted", async () => {
    const r = await pd.restart();
    figures.push([
      "private dockerd stop / start (stops and restarts the containers)",
      `${secs(r.stopMs)} / ${secs(r.startMs)}`,
    ]);
    const check = await run(process.execPath, [CLI, "router:check", "--data-dir", srv.dataDir], {
      env: { ...process.env, YADOKARI_DOCKER_SOCKET: pd.socketPath },
    });
    figures.push([
      "router:check after the restart (would the router unit start HAProxy from the old config?)",
      check.code === 0 ? "yes: addresses unchanged" : "no: addresses moved",
    ]);
  });
  await coldStart("containers lost", async () => {
    const cs = await pd.docker.listContainers({ all: true });
    await Promise.all(cs.map((c) => pd.docker.getContainer(c.Id).remove({ force: true })));
    await pd.restart();
  });

  const backup = async (label: string, args: string[]) => {
    const t = Date.now();
    const r = await run(process.execPath, [CLI, "backup", "--json", ...args], {
      env: { ...process.env, YADOKARI_URL: srv.url, YADOKARI_TOKEN: srv.token },
      timeoutMs: 30 * 60_000,
    });
    if (r.code !== 0) throw new Error(`backup: ${r.stderr}`);
    const j = JSON.parse(r.stdout);
    figures.push([
      `backup ${label}`,
      `${secs(j.durationMs)}, ${(j.bytes / 2 ** 20).toFixed(1)} MiB (command ${secs(Date.now() - t)})`,
    ]);
    return j.target as string;
  };
  await backup("without images", ["--to", `${work}/`]);
  const full = await backup("with images", ["--with-images", "--to", join(work, "full.tar.gz")]);

  // A new host: no container, no image of ours, a new data dir.
  const token = srv.token;
  await srv.stop();
  process.kill(srv.routerPid()!, "SIGKILL");
  for (const c of await pd.docker.listContainers({ all: true }))
    await pd.docker.getContainer(c.Id).remove({ force: true });
  for (const i of await pd.docker.listImages({ filters: { label: ["yadokari.managed"] } }).catch(() => []))
    await pd.docker
      .getImage(i.Id)
      .remove({ force: true })
      .catch(() => {});
  for (const i of await pd.docker.listImages())
    if ((i.RepoTags ?? []).some((t) => t.startsWith("yadokari/")))
      await pd.docker
        .getImage(i.Id)
        .remove({ force: true })
        .catch(() => {});
  const fresh = join(work, "host2");
  const tr = Date.now();
  const r = await run(process.execPath, [CLI, "restore", full, "--data-dir", fresh], {
    env: { ...process.env, YADOKARI_DOCKER_SOCKET: pd.socketPath },
    timeoutMs: 30 * 60_000,
  });
  if (r.code !== 0) throw new Error(`restore: ${r.stderr}\n${r.stdout}`);
  figures.push(["restore with images (unpack, docker load)", secs(Date.now() - tr)]);
  rmSync(srv.dataDir, { recursive: true, force: true });
  const ts = Date.now();
  srv = await start(fresh);
  if (srv.token !== token) throw new Error("the restored admin token differs");
  await untilAllServe(srv, "every restored app to serve");
  const ms = Date.now() - ts;
  figures.push([`after the restore: server start → all ${APPS} apps answering`, secs(ms)]);

  process.stdout.write(
    `\nbench:coldstart — ${APPS} apps, every 5th with a worker, on a private dockerd (machine shared: figures are noisy)\n`,
  );
  for (const [k, v] of figures) process.stdout.write(`  ${k.padEnd(96)} ${v}\n`);
  process.stdout.write(
    `target: every app serving again without anyone acting (bound ${secs(BOUND_MS)}): ${ok ? "met" : "MISSED"}\n`,
  );
  return ok ? 0 : 1;
}

runBench(main);
