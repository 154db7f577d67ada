import { cpSync, existsSync, lstatSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestServer, FIXTURES, appContainers, docker, uniqueApp } from "../../test/helpers/yadokari.js";
import { getVia, waitFor } from "../../test/helpers/http.js";
import { keepAliveLoad, type LoadResult } from "../../test/helpers/load.js";
import { onCleanup } from "./cleanup.js";
import { startWrk, type WrkSummary } from "./wrk.js";
import { accessLogFindings, cliDeploy, markSource, serverLogFindings, type DeployRun } from "./cli-deploy.js";
import { startWebPoller, formatSample, type PsContainer, type WebPollSummary } from "./web-poller.js";
import { median, percentile, secs, sleep } from "./util.js";

/**
 * The rolling case: an app with `replicas` web containers and maxSurge
 * `surge`, deployed `deploys` times back to back with `yk deploy` under wrk
 * keep-alive load through the router, while a poller reads GET …/ps (and
 * Docker) every ~50 ms and keeps the fewest web containers that were running
 * and routed, and the most that were running. The bounds the issue sets:
 * routed ≥ replicas at every moment, running ≤ replicas + maxSurge.
 */

export interface RollingOptions {
  deploys: number;
  replicas: number;
  surge: number;
  connections: number;
  checkerConnections: number;
  wrkTimeoutSeconds: number;
  pollIntervalMs: number;
  deployTimeoutMs: number;
  cli: string;
  keep: boolean;
  log: (line: string) => void;
}

export interface RollingResult {
  o: RollingOptions;
  wrk: WrkSummary;
  wrkBoundS: number;
  checker: LoadResult | null;
  deploys: DeployRun[];
  poll: WebPollSummary;
  finalBody: string;
  retired: boolean;
  logFindings: string[];
  setup: string;
}

export async function rollingPhase(o: RollingOptions): Promise<RollingResult> {
  const { log } = o;
  const s = await TestServer.start();
  onCleanup("Yadokari test server (rolling case)", async () => {
    if (o.keep) {
      const keep = mkdtempSync(join(tmpdir(), "yk-bench-keep-rolling-"));
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
      log(`BENCH_KEEP=1: the rolling case's data dir was copied to ${keep}`);
    }
    await s.close();
  });
  log(`rolling case: server on ${s.url}, router on 127.0.0.1:${s.httpPort}, data dir ${s.dataDir}`);
  const app = uniqueApp("bench-rolling");
  const host = `${app}.${s.domain}`;
  await s.createApp(app);
  const must = async (method: string, path: string, body: unknown) => {
    const r = await s.api(method, path, body);
    if (r.status !== 200)
      throw new Error(`${method} ${path} ${JSON.stringify(body)}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  await must("PATCH", `/apps/${app}/formation`, { web: o.replicas });
  await must("PATCH", `/apps/${app}/deploy-settings`, { maxSurge: o.surge });
  const settings = await must("GET", `/apps/${app}/deploy-settings`, undefined);

  const work = mkdtempSync(join(tmpdir(), "yk-bench-rolling-"));
  onCleanup(`temp dir ${work}`, () => rmSync(work, { recursive: true, force: true }));
  const src = join(work, "app");
  cpSync(join(FIXTURES, "good"), src, { recursive: true });
  const configFile = join(work, "cli-config.json");
  const deployOpts = { cli: o.cli, timeoutMs: o.deployTimeoutMs, log };

  const ps = async (): Promise<PsContainer[]> => {
    const r = await fetch(`${s.url}/api/v1/apps/${app}/ps`, {
      headers: { authorization: `Bearer ${s.token}` },
      signal: AbortSignal.timeout(5000),
    });
    const text = await r.text();
    if (r.status !== 200) throw new Error(`GET ps: ${r.status} ${text.slice(0, 120)}`);
    return JSON.parse(text) as PsContainer[];
  };
  const routedWeb = async () =>
    (await ps()).filter((c) => c.process === "web" && c.state === "running" && c.routed).length;

  // First deploy: builds the layers the later ones reuse and brings up the replicas; not counted.
  markSource(src, 0);
  const first = await cliDeploy(s, app, src, configFile, 0, deployOpts);
  if (!first.ok) throw new Error("the first (uncounted) deploy of the rolling case failed; see its output above");
  await waitFor(`${o.replicas} routed web containers`, async () => (await routedWeb()) === o.replicas, 60000);
  await waitFor(
    "the app to answer through the router",
    async () => (await getVia(s.httpPort, host)).status === 200,
    30000,
  );
  // The first deploy's own leftovers (none on a first deploy, but be sure) are gone before polling starts.
  await waitFor(
    `exactly ${o.replicas} web containers`,
    async () => (await appContainers(app)).filter((c) => c.Labels["yadokari.process"] === "web").length === o.replicas,
    30000,
  );
  log(
    `rolling case, first deploy (not counted): ${secs(first.ms)}, release v${first.release}, ${first.webBatches} web batch(es); deploy settings ${JSON.stringify(settings)}`,
  );

  const wrkBoundS = o.deploys * 120 + 120;
  const wrk = await startWrk({
    url: `http://127.0.0.1:${s.httpPort}/`,
    host,
    threads: 1,
    connections: o.connections,
    maxSeconds: wrkBoundS,
    timeoutSeconds: o.wrkTimeoutSeconds,
  });
  const checker =
    o.checkerConnections > 0
      ? keepAliveLoad({
          port: s.httpPort,
          host,
          connections: o.checkerConnections,
          maxRequests: 50_000_000,
          maxMs: wrkBoundS * 1000,
        })
      : null;
  const stopChecker = onCleanup("keep-alive checker (rolling case)", () => checker?.stop());
  const poller = startWebPoller({
    ps,
    docker,
    app,
    intervalMs: o.pollIntervalMs,
    requestTimeoutMs: 5000,
    maxMs: wrkBoundS * 1000,
    initialLabel: "before deploy 1",
    targets: { minRouted: o.replicas, maxRunning: o.replicas + o.surge },
  });
  const stopPoller = onCleanup("web poller (rolling case)", () => poller.stop());
  const deploys: DeployRun[] = [];
  let wrkResult: WrkSummary;
  let poll: WebPollSummary;
  let last = first.release;
  let retired: boolean;
  try {
    await sleep(1000);
    for (let i = 1; i <= o.deploys; i++) {
      markSource(src, i);
      poller.mark(`deploy ${i}`);
      const d = await cliDeploy(s, app, src, configFile, i, deployOpts);
      deploys.push(d);
      if (d.ok && d.release !== null) last = d.release;
      const st = Object.entries(d.steps)
        .map(([k, v]) => `${k} ${(v / 1000).toFixed(2)}`)
        .join(", ");
      log(
        `rolling deploy ${i}/${o.deploys}: ${d.ok ? "live" : "FAILED"} in ${secs(d.ms)}${d.release ? ` (v${d.release})` : ""}, ${d.webBatches} web batches${st ? ` [server, summed per kind: ${st}]` : ""}`,
      );
    }
    // Keep polling while the last deploy's last old container drains and stops (off the live path).
    poller.mark("settle");
    retired = await waitFor(
      "old containers to be retired",
      async () => {
        const all = await appContainers(app);
        return all.length === o.replicas && all.every((c) => c.Labels["yadokari.release"] === `v${last}`);
      },
      30000,
    ).then(
      () => true,
      () => false,
    );
    await sleep(1000);
  } finally {
    poll = await poller.stop();
    await stopPoller();
    wrkResult = await wrk.stop();
    await stopChecker();
  }

  const finalBody = (
    await getVia(s.httpPort, host).catch((e) => ({ body: `error: ${(e as Error).message}` }))
  ).body.trim();
  const failed = wrkResult.failed + (checker?.result.failed ?? 0) + deploys.filter((d) => !d.ok).length;
  let logFindings: string[] = [];
  if (failed > 0) {
    log("rolling case had failures: reading the router's access log and the server log");
    logFindings = [
      ...(await accessLogFindings(join(s.dataDir, "router", "haproxy.log"), host)),
      ...serverLogFindings(s.logPath),
    ];
  }
  const logFile = join(s.dataDir, "router", "haproxy.log");
  if (existsSync(logFile)) log(`rolling case, router access log: ${(statSync(logFile).size / 1e6).toFixed(0)} MB`);
  return {
    o,
    wrk: wrkResult,
    wrkBoundS,
    checker: checker ? checker.result : null,
    deploys,
    poll,
    finalBody: `${finalBody} (expected ok v${last})`,
    retired,
    logFindings,
    setup: JSON.stringify(settings),
  };
}

/** The section printed for the rolling case, and whether it passed. */
export function rollingSection(
  r: RollingResult | null,
  error: string | null,
  o: RollingOptions,
): { text: string; ok: boolean } {
  const lines: string[] = [""];
  const maxBound = o.replicas + o.surge;
  lines.push(
    `bench:deploy, rolling case — ${o.deploys} deploys, ${o.replicas} web replicas, maxSurge ${o.surge}, wrk -t1 -c${o.connections} --timeout ${o.wrkTimeoutSeconds}s keep-alive through the router (127.0.0.1), GET …/ps + docker ps polled every ~${o.pollIntervalMs} ms`,
  );
  if (!r) {
    lines.push(`  the rolling case did not complete: ${error ?? "unknown error"}`);
    lines.push("targets: rolling case ✘ (did not complete)");
    return { text: lines.join("\n"), ok: false };
  }
  const okRuns = r.deploys.filter((d) => d.ok);
  const okMs = okRuns.map((d) => d.ms);
  const failedDeploys = r.deploys.length - okRuns.length;
  const p = r.poll;
  const checkerFailed = r.checker?.failed ?? 0;
  const failedReq = r.wrk.failed + checkerFailed;
  const minOk = p.polls - p.errors > 0 && p.minRouted >= o.replicas;
  const maxOk = p.polls - p.errors > 0 && p.maxRunning <= maxBound;
  const head = [
    "",
    "deploys",
    "requests",
    "failed",
    "socket-errors (c/r/w/t)",
    "req/s",
    `min routed web (≥ ${o.replicas})`,
    `max running web (≤ ${maxBound})`,
    "deploy median",
    "p95",
    "failed deploys",
  ];
  const row = [
    `yadokari ${o.replicas}×web, maxSurge ${o.surge}`,
    String(r.deploys.length),
    String(r.wrk.requests),
    String(r.wrk.failed),
    `${r.wrk.socketErrors} (${r.wrk.connect}/${r.wrk.read}/${r.wrk.write}/${r.wrk.timeout})`,
    r.wrk.reqPerSec.toFixed(0),
    `${Number.isFinite(p.minRouted) ? p.minRouted : "-"} ${minOk ? "✔" : "✘"}`,
    `${p.maxRunning} ${maxOk ? "✔" : "✘"}`,
    secs(median(okMs)),
    secs(percentile(okMs, 95)),
    String(failedDeploys),
  ];
  const widths = head.map((h, c) => Math.max(h.length, row[c].length));
  const fmt = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("   ");
  lines.push(fmt(head));
  lines.push(fmt(row));
  lines.push("");
  lines.push(
    "  min routed web = fewest web containers seen running AND routed (ready in the router) in one poll; max running web = most seen running, the larger of GET …/ps and Docker's own count (labels yadokari.app, yadokari.process=web, status running).",
  );
  lines.push(
    `  polls: ${p.polls} (${p.errors} failed${p.firstErrors.length ? `: ${p.firstErrors.join("; ")}` : ""}), median poll ${secs(p.medianPollMs)}, longest gap between good polls ${secs(p.maxGapMs)}; max running by ps ${p.maxRunningPs}, by Docker ${p.maxRunningDocker}${p.endedEarly ? "; WARNING: the poller hit its time bound" : ""}`,
  );
  lines.push(`  first poll with the fewest routed: ${formatSample(p.minRoutedSample)}`);
  lines.push(`  first poll with the most running: ${formatSample(p.maxRunningSample)}`);
  if (p.belowMin || p.aboveMax) {
    lines.push(
      `  polls breaking a bound: ${p.belowMin} with < ${o.replicas} routed, ${p.aboveMax} with > ${maxBound} running; first ones:`,
    );
    for (const v of p.violations) lines.push(`    ${formatSample(v)}`);
  }
  const phases = [...p.byLabel].map(
    ([k, b]) => `${k.replace("deploy ", "d")}: ${Number.isFinite(b.minRouted) ? b.minRouted : "-"}/${b.maxRunning}`,
  );
  lines.push(
    `  per phase, min routed/max running (dN = from deploy N's \`yk deploy\` spawn to the next one's, so it includes the off-path retirement of its last old container): ${phases.join(", ")}`,
  );
  const batches = [...new Set(okRuns.map((d) => d.webBatches))];
  lines.push(`  web batches per deploy: ${batches.join(", ") || "-"} (expected ${Math.ceil(o.replicas / o.surge)})`);
  if (okRuns.length) {
    const kinds = ["build", "start", "gate", "commit", "route", "drain", "remove"];
    const parts = kinds
      .map((k) => [k, okRuns.map((d) => d.steps[k]).filter((v): v is number => typeof v === "number")] as const)
      .filter(([, v]) => v.length);
    const server = okRuns.map((d) => d.serverMs).filter((v): v is number => v !== null);
    lines.push(
      `  medians by step kind, summed over a deploy's batches (server side; drain and remove = the mid-rollout retirements the deploy waits for): ${parts.map(([k, v]) => `${k} ${secs(median([...v]))}`).join(", ")}; deploy record created→finished ${secs(median(server))}.`,
    );
  }
  const c = r.checker;
  if (c)
    lines.push(
      `  second counter (keepAliveLoad, ${o.checkerConnections} keep-alive connections): ${c.sent} sent, ${c.failed} failed${
        c.failures.length
          ? `; first failures: ${c.failures
              .slice(0, 8)
              .map((f) => f.replace(/\s+/g, " ").slice(0, 120))
              .join("; ")}`
          : ""
      }`,
    );
  lines.push(
    `  after the deploys the router answered: ${r.finalBody}; old containers retired: ${r.retired ? "yes" : "NO (not within 30 s)"}`,
  );
  if (r.wrk.endedEarly)
    lines.push(
      `  WARNING: wrk reached its ${r.wrkBoundS} s bound before the deploys were done: part of the run had no load.`,
    );
  if (r.logFindings.length) {
    lines.push("  why (router access log / server log):");
    for (const l of r.logFindings) lines.push(`    ${l}`);
  }
  lines.push(
    `targets (rolling): 0 failed ${failedReq === 0 ? "✔" : `✘ (${r.wrk.failed} by wrk, ${c ? checkerFailed : "-"} by keepAliveLoad)`}` +
      `${failedDeploys ? `, failed deploys ✘ (${failedDeploys})` : ""}` +
      `, routed web ≥ ${o.replicas} ${minOk ? "✔" : "✘"} (min ${Number.isFinite(p.minRouted) ? p.minRouted : "-"})` +
      `, running web ≤ ${maxBound} ${maxOk ? "✔" : "✘"} (max ${p.maxRunning})`,
  );
  const ok =
    failedReq === 0 && failedDeploys === 0 && minOk && maxOk && !r.wrk.endedEarly && r.deploys.length === o.deploys;
  return { text: lines.join("\n"), ok };
}
