import { spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import Docker from "dockerode";
import { packTarGz } from "../../src/cli/pack.js";
import { freePort } from "../../test/helpers/ports.js";
import { getVia, waitFor } from "../../test/helpers/http.js";
import { keepAliveLoad, type LoadResult } from "../../test/helpers/load.js";
import { onCleanup } from "./cleanup.js";
import { startWrk, type WrkOptions, type WrkSummary } from "./wrk.js";
import { runChild, sleep } from "./util.js";

/**
 * The baseline: how an app is replaced by hand. A bare HAProxy (hand-written
 * config, foreground child process) in front of ONE container published on a
 * fixed host port; each replacement stops the old container (docker stop,
 * default timeout), removes it, and starts a new one on the same port.
 * Everything is labelled yadokari.bench=1 and removed by id.
 */

export const BENCH_LABEL = "yadokari.bench";

export interface NaiveResult {
  wrk: WrkSummary;
  checker: LoadResult | null;
  /** Per replacement: from `docker stop` of the old container to the new one answering 200 on its host port. */
  replaceMs: number[];
  failedReplacements: string[];
  proxyPort: number;
  hostPort: number;
}

export interface NaiveOptions {
  docker: Docker;
  /** A directory with the app's Dockerfile (the same source the Yadokari phase deploys). */
  sourceDir: string;
  replacements: number;
  /** Pause after each replacement, so traffic runs normally between two of them. */
  pauseMs: number;
  wrk: Omit<WrkOptions, "url" | "host">;
  checkerConnections: number;
  log: (line: string) => void;
}

function haproxyConfig(proxyPort: number, hostPort: number): string {
  // What a hand-written config for one app usually looks like: keep-alive on
  // both sides (HAProxy's default), one server, no health check.
  return [
    "global",
    "  maxconn 4096",
    "defaults",
    "  mode http",
    "  timeout connect 5s",
    "  timeout client 30s",
    "  timeout server 30s",
    "  timeout http-keep-alive 30s",
    "frontend http",
    `  bind 127.0.0.1:${proxyPort}`,
    "  default_backend app",
    "backend app",
    `  server app1 127.0.0.1:${hostPort}`,
    "",
  ].join("\n");
}

async function buildImage(docker: Docker, dir: string, tag: string): Promise<string> {
  const { data } = await packTarGz(dir);
  const stream = await docker.buildImage(Buffer.from(data) as unknown as NodeJS.ReadableStream, {
    t: tag,
    labels: { [BENCH_LABEL]: "1" },
    rm: true,
    forcerm: true,
  });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, events: Array<{ error?: string }>) => {
      const failed = events?.find((e) => e.error);
      if (err || failed) reject(new Error(`build of ${tag} failed: ${err?.message ?? failed?.error}`));
      else resolve();
    });
  });
  return (await docker.getImage(tag).inspect()).Id;
}

export async function runNaive(o: NaiveOptions): Promise<NaiveResult> {
  const { docker, log } = o;
  const dir = mkdtempSync(join(tmpdir(), "yk-bench-naive-"));
  onCleanup(`naive temp dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));

  // 1. The image, built from the same source, labelled as the bench's (not Yadokari's: its
  //    labels would make the server treat these containers as the app's).
  const tag = `yadokari-bench/naive:${process.pid}`;
  const imageId = await buildImage(docker, o.sourceDir, tag);
  onCleanup(`naive image ${tag}`, async () => {
    await docker
      .getImage(imageId)
      .remove({ force: true })
      .catch(() => {});
  });

  // 2. A network of its own (a bridge like `docker run -p` uses; not the default
  //    one, whose docker0 interface is missing on some of these machines).
  const net = await docker.createNetwork({
    Name: `yk-bench-naive-${process.pid}`,
    Driver: "bridge",
    Labels: { [BENCH_LABEL]: "1" },
  });
  onCleanup(`naive network ${net.id}`, async () => {
    await docker
      .getNetwork(net.id)
      .remove()
      .catch(() => {});
  });

  // 3. The containers: tracked by id, removed at the end whatever happens.
  const containers = new Set<string>();
  onCleanup("naive containers", async () => {
    for (const id of containers)
      await docker
        .getContainer(id)
        .remove({ force: true })
        .catch(() => {});
  });
  const hostPort = await freePort();
  let n = 0;
  const startOne = async (): Promise<Docker.Container> => {
    n++;
    const c = await docker.createContainer({
      name: `yk-bench-naive-${process.pid}-${n}`,
      Image: imageId,
      Env: ["PORT=5000", `YADOKARI_RELEASE=naive-${n}`],
      Labels: { [BENCH_LABEL]: "1" },
      ExposedPorts: { "5000/tcp": {} },
      HostConfig: {
        // As Yadokari does: Docker's init forwards SIGTERM (see RECIPES: stop in 0.1 s, not 10 s).
        Init: true,
        NetworkMode: `yk-bench-naive-${process.pid}`,
        PortBindings: { "5000/tcp": [{ HostIp: "127.0.0.1", HostPort: String(hostPort) }] },
        RestartPolicy: { Name: "no" },
      },
    });
    containers.add(c.id);
    await c.start();
    return c;
  };
  const answering = () =>
    waitFor(
      `the container to answer on 127.0.0.1:${hostPort}`,
      async () => (await getVia(hostPort, "naive")).status === 200,
      30000,
      10,
    );

  // 4. The bare HAProxy, foreground, killed by its pid.
  const proxyPort = await freePort();
  const cfg = join(dir, "haproxy.cfg");
  writeFileSync(cfg, haproxyConfig(proxyPort, hostPort));
  const check = await runChild("haproxy", ["-c", "-f", cfg], { timeoutMs: 10000 });
  if (check.code !== 0) throw new Error(`haproxy -c rejected the baseline config: ${check.output}`);
  const logPath = join(dir, "haproxy.log");
  const out = openSync(logPath, "a");
  const proxy = spawn("haproxy", ["-db", "-f", cfg], { stdio: ["ignore", out, out] });
  let proxyExited = false;
  const proxyExit = new Promise<void>((r) => proxy.once("exit", () => ((proxyExited = true), r())));
  onCleanup(`naive HAProxy (pid ${proxy.pid})`, async () => {
    if (proxyExited || !proxy.pid) return;
    process.kill(proxy.pid, "SIGTERM");
    await Promise.race([proxyExit, sleep(5000)]);
    if (!proxyExited) process.kill(proxy.pid, "SIGKILL");
  });

  let current = await startOne();
  await answering();
  await waitFor(
    "the bare HAProxy to answer",
    async () => {
      if (proxyExited) throw new Error(`haproxy exited: ${readFileSync(logPath, "utf8").slice(-1000)}`);
      return (await getVia(proxyPort, "naive")).status === 200;
    },
    10000,
    50,
  );
  log(`naive: HAProxy pid ${proxy.pid} on 127.0.0.1:${proxyPort} -> container on 127.0.0.1:${hostPort}`);

  // 5. Load, then the replacements.
  const wrk = await startWrk({ ...o.wrk, url: `http://127.0.0.1:${proxyPort}/`, host: "naive.bench" });
  const checker =
    o.checkerConnections > 0
      ? keepAliveLoad({
          port: proxyPort,
          host: "naive.bench",
          connections: o.checkerConnections,
          maxRequests: 50_000_000,
          maxMs: o.wrk.maxSeconds * 1000,
        })
      : null;
  const stopChecker = onCleanup("naive keep-alive checker", () => checker?.stop());
  const replaceMs: number[] = [];
  const failedReplacements: string[] = [];
  let wrkResult: WrkSummary;
  try {
    await sleep(1000);
    for (let i = 1; i <= o.replacements; i++) {
      const t0 = performance.now();
      try {
        await current.stop(); // Docker's default timeout (10 s)
        await current.remove();
        containers.delete(current.id);
        current = await startOne();
        await answering();
        replaceMs.push(performance.now() - t0);
        log(`naive: replacement ${i}/${o.replacements} in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
      } catch (e) {
        failedReplacements.push(`#${i}: ${(e as Error).message}`);
        log(`naive: replacement ${i} FAILED: ${(e as Error).message}`);
        if (!containers.size) current = await startOne();
      }
      await sleep(o.pauseMs);
    }
  } finally {
    wrkResult = await wrk.stop();
    await stopChecker();
  }
  return {
    wrk: wrkResult,
    checker: checker ? checker.result : null,
    replaceMs,
    failedReplacements,
    proxyPort,
    hostPort,
  };
}
