/**
 * bench:swarm — the same app on the local engine and on a 3-node Docker Swarm,
 * in one run, under steady keep-alive load through the router.
 *
 * Phase 1 (now): builds the 3-node test swarm (prints how long it takes to
 * come up and to go down), runs the local-engine half of the comparison
 * (BENCH_DEPLOYS deploys of a BENCH_REPLICAS-replica app: failed requests,
 * command-to-live median and p95) and prints what the swarm half will
 * measure. Phase 2 (with the Swarm engine): the same deploys on the swarm
 * (target: 0 failed requests, command-to-live within 1.5× of the local
 * engine's), then a worker's dockerd killed under load (target: at most 2 s
 * of failed requests to its share, the formation whole within 30 s).
 * Exits 1 when a measured target is missed.
 *
 * Environment: BENCH_DEPLOYS (20), BENCH_REPLICAS (3), BENCH_CONNECTIONS (8).
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES, ROOT, TestServer, uniqueApp } from "../test/helpers/yadokari.js";
import { getVia, waitFor } from "../test/helpers/http.js";
import { keepAliveLoad } from "../test/helpers/load.js";
import { SwarmCluster } from "../test/helpers/swarm-cluster.js";
import { installExitHandlers, onCleanup, runBench } from "./lib/cleanup.js";
import { cliDeploy, markSource, type DeployRun } from "./lib/cli-deploy.js";
import { median, percentile, secs, sleep } from "./lib/util.js";

const DEPLOYS = Number(process.env.BENCH_DEPLOYS ?? 20);
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
if (!(Number.isInteger(DEPLOYS) && DEPLOYS >= 1 && DEPLOYS <= 200)) throw new Error("BENCH_DEPLOYS must be 1..200");
if (!(Number.isInteger(REPLICAS) && REPLICAS >= 1 && REPLICAS <= 10)) throw new Error("BENCH_REPLICAS must be 1..10");
const CLI = join(ROOT, "dist/src/main/cli.js");
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

interface EngineHalf {
  engine: string;
  deploys: DeployRun[];
  sent: number;
  failed: number;
  failures: string[];
}

/** BENCH_DEPLOYS deploys of one app under keep-alive load, on the server's engine. */
async function deployHalf(engine: string, env: Record<string, string> = {}): Promise<EngineHalf> {
  const s = await TestServer.start({ env });
  onCleanup(`${engine}: Yadokari test server`, () => s.close());
  const app = uniqueApp(`bench-swarm-${engine.slice(0, 5)}`);
  const host = `${app}.${s.domain}`;
  await s.createApp(app);
  const patch = await s.api("PATCH", `/apps/${app}`, { webReplicas: REPLICAS });
  if (patch.status !== 200) throw new Error(`PATCH webReplicas: ${patch.status} ${JSON.stringify(patch.body)}`);
  const work = mkdtempSync(join(tmpdir(), "yk-bench-swarm-"));
  onCleanup(`temp dir ${work}`, () => rmSync(work, { recursive: true, force: true }));
  const src = join(work, "app");
  cpSync(join(FIXTURES, "good"), src, { recursive: true });
  const configFile = join(work, "cli-config.json");
  const opts = { cli: CLI, timeoutMs: 180_000, log };
  markSource(src, 0);
  const first = await cliDeploy(s, app, src, configFile, 0, opts);
  if (!first.ok) throw new Error(`${engine}: the first (uncounted) deploy failed`);
  await waitFor("the app to answer", async () => (await getVia(s.httpPort, host)).status === 200, 30_000);
  const load = keepAliveLoad({
    port: s.httpPort,
    host,
    connections: CONNECTIONS,
    maxRequests: 50_000_000,
    maxMs: (DEPLOYS * 60 + 60) * 1000,
  });
  const stopLoad = onCleanup(`${engine}: load`, () => load.stop());
  const deploys: DeployRun[] = [];
  try {
    await sleep(500);
    for (let i = 1; i <= DEPLOYS; i++) {
      markSource(src, i);
      const d = await cliDeploy(s, app, src, configFile, i, opts);
      deploys.push(d);
      log(`${engine}: deploy ${i}/${DEPLOYS} ${d.ok ? "live" : "FAILED"} in ${secs(d.ms)}`);
    }
    await sleep(500);
  } finally {
    await stopLoad();
  }
  const r = await load.done;
  return { engine, deploys, sent: r.sent, failed: r.failed, failures: r.failures };
}

function report(h: EngineHalf): { p50: number; p95: number } {
  const ms = h.deploys.filter((d) => d.ok).map((d) => d.ms);
  const p50 = median(ms);
  const p95 = percentile(ms, 95);
  console.log(`${h.engine} engine: ${h.deploys.length} deploys of a ${REPLICAS}-replica app under keep-alive load`);
  console.log(`  deploys that failed:       ${h.deploys.filter((d) => !d.ok).length}`);
  console.log(
    `  requests: ${h.sent} sent, ${h.failed} failed${h.failed ? ` (${h.failures.slice(0, 3).join("; ")})` : ""}`,
  );
  console.log(`  command-to-live: median ${secs(p50)}, p95 ${secs(p95)}`);
  return { p50, p95 };
}

async function main(): Promise<number> {
  installExitHandlers(15 * 60_000 + DEPLOYS * 60_000);
  let missed = 0;
  const target = (what: string, ok: boolean) => {
    console.log(`  target ${what}: ${ok ? "met" : "MISSED"}`);
    if (!ok) missed++;
  };

  log("building the 3-node test swarm");
  const cluster = await SwarmCluster.create({ nodes: 3, log });
  const destroyCluster = onCleanup("test swarm", () => cluster.destroy());
  console.log(`3-node test swarm: up in ${secs(cluster.timings.upMs)}`);

  const local = await deployHalf("local");
  report(local);
  target("0 failed requests over the local deploys", local.failed === 0 && local.deploys.every((d) => d.ok));

  console.log("swarm engine: not measured yet (the Swarm engine comes in phase 2); this run will print:");
  console.log(`  the same ${DEPLOYS} deploys on the swarm: failed requests (target 0), command-to-live median and p95`);
  console.log("    (target: within 1.5× of the local engine's median above)");
  console.log(`  units spread over the nodes (target: on at least 2 of the 3)`);
  console.log("  a worker's dockerd killed under load: seconds of failed requests to its share (target ≤ 2 s),");
  console.log("    seconds until every replica serves again (target ≤ 30 s)");

  await destroyCluster();
  console.log(`3-node test swarm: down in ${secs(cluster.timings.downMs)}`);
  return missed ? 1 : 0;
}

runBench(main);
