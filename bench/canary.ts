/**
 * bench:canary — steady keep-alive HTTP load through the router on 127.0.0.1
 * (a keep-alive client in this process that notes which release answered
 * each request: the flaky fixture says it in its body) while:
 *   (1) a good release goes through every canary step: prints the failed
 *       requests (target 0) and, per step, the share of requests each
 *       release actually answered against the set weight;
 *   (2) a release answering 500 to 10 % of its requests (FAIL_RATE, a config
 *       var) is canaried: prints the failed requests before the abort, the
 *       time from the first bad answer to the last one (weight 0, as the
 *       clients saw it), the deploy's reason, and that the old release kept
 *       answering; target: failures ≤ step weight × error rate × step
 *       duration × request rate.
 * Exits 1 when a target is missed.
 *
 * Environment: BENCH_STEPS (5,25,50,100), BENCH_STEP_SEC (10),
 * BENCH_CONNECTIONS (8), BENCH_FAIL_RATE (0.1), BENCH_KEEP=1 (keep the
 * server's data dir under /tmp/yk-bench-keep-*).
 */
import { cpSync, lstatSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestServer, FIXTURES, uniqueApp } from "../test/helpers/yadokari.js";
import { getVia, waitFor } from "../test/helpers/http.js";
import { keepAliveLoad } from "../test/helpers/load.js";
import { installExitHandlers, onCleanup, runBench } from "./lib/cleanup.js";
import { sleep } from "./lib/util.js";

const STEPS = (process.env.BENCH_STEPS ?? "5,25,50,100").split(",").map(Number);
const STEP_SEC = Number(process.env.BENCH_STEP_SEC ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const FAIL_RATE = Number(process.env.BENCH_FAIL_RATE ?? 0.1);
const KEEP = process.env.BENCH_KEEP === "1";
if (STEPS.some((p) => !Number.isInteger(p) || p < 1 || p > 100) || STEPS.at(-1) !== 100)
  throw new Error("BENCH_STEPS must be whole percentages ending with 100");
if (!(STEP_SEC >= 1 && STEP_SEC <= 600)) throw new Error("BENCH_STEP_SEC must be 1..600");
if (!(FAIL_RATE > 0 && FAIL_RATE <= 1)) throw new Error("BENCH_FAIL_RATE must be in (0, 1]");

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);

interface Answer {
  at: number;
  status: number;
  release: string;
}

function trackedLoad(port: number, host: string) {
  const answers: Answer[] = [];
  const load = keepAliveLoad({
    port,
    host,
    connections: CONNECTIONS,
    maxRequests: 50_000_000,
    maxMs: 30 * 60_000,
    onResponse: (status, body, at) => answers.push({ at, status, release: body.trim().split(" ")[1] ?? "?" }),
  });
  return { load, answers };
}

/** Changes a config var (a new release of the same image) and waits for its canary deploy to end. */
async function canaryDeploy(s: TestServer, app: string, set: Record<string, string>): Promise<any> {
  const r = await s.api("PATCH", `/apps/${app}/config`, { set });
  if (r.status !== 200) throw new Error(`config change: ${r.status} ${JSON.stringify(r.body)}`);
  return s.waitDeploy(app, r.body.deploy.id, (STEPS.length * STEP_SEC * 3 + 120) * 1000);
}

const table = (head: string[], rows: string[][]) => {
  const all = [head, ...rows];
  const w = head.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  return all.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join("   ")).join("\n");
};

async function main(): Promise<number> {
  installExitHandlers(30 * 60_000);
  const s = await TestServer.start();
  onCleanup("Yadokari test server", async () => {
    if (KEEP) {
      const keep = mkdtempSync(join(tmpdir(), "yk-bench-keep-"));
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
      log(`BENCH_KEEP=1: the server's data dir was copied to ${keep}`);
    }
    await s.close();
  });
  const app = uniqueApp("bench-canary");
  const host = `${app}.${s.domain}`;
  await s.createApp(app);
  const first = await s.deploy(app, join(FIXTURES, "flaky"));
  if (first.status !== "succeeded") throw new Error(`first deploy: ${JSON.stringify(first)}`);
  const set = await s.api("PATCH", `/apps/${app}/deploy-settings`, {
    strategy: "canary",
    steps: STEPS,
    stepSec: STEP_SEC,
  });
  if (set.status !== 200) throw new Error(`deploy settings: ${JSON.stringify(set.body)}`);
  await waitFor("v1 through the router", async () => (await getVia(s.httpPort, host)).body.trim() === "ok v1");
  log(
    `server ${s.url}, router 127.0.0.1:${s.httpPort}; canary steps ${STEPS.join(", ")} %, ${STEP_SEC} s each; ${CONNECTIONS} keep-alive connections`,
  );

  const { load, answers } = trackedLoad(s.httpPort, host);
  const stopLoad = onCleanup("load", () => load.stop());
  const lines: string[] = [];
  let ok = true;
  try {
    await sleep(2000);
    // (1) a good release through every step
    const t1 = Date.now();
    const failedBefore1 = load.result.failed;
    log("(1) canary of a good release (v2)");
    const good = await canaryDeploy(s, app, { MARK: "good" });
    await sleep(1000);
    const goodAnswers = answers.filter((a) => a.at >= t1 && a.at <= Date.now());
    // non-2xx/3xx answers and socket errors, as the load client counts them
    const goodFailed = load.result.failed - failedBefore1;
    const steps = good.steps.filter((x: any) => x.name.startsWith("canary "));
    const rows: string[][] = [];
    steps.forEach((st: any, i: number) => {
      const from = Date.parse(st.startedAt);
      const to = Date.parse(st.finishedAt);
      const inStep = answers.filter((a) => a.at >= from + 300 && a.at <= to);
      const v2 = inStep.filter((a) => a.release === "v2").length;
      const v1 = inStep.filter((a) => a.release === "v1").length;
      rows.push([
        `${i + 1}`,
        `${STEPS[i]} %`,
        `${f2((100 * v2) / inStep.length)} %`,
        `${f2((100 * v1) / inStep.length)} %`,
        String(inStep.length),
        f1((to - from) / 1000),
        f1(inStep.length / ((to - from - 300) / 1000)),
      ]);
    });
    lines.push(
      "",
      `bench:canary (1) good release v1 → v2, steps ${STEPS.join(", ")} %, ${STEP_SEC} s each, ${CONNECTIONS} keep-alive connections through the router on 127.0.0.1`,
    );
    lines.push(table(["step", "set weight (v2)", "v2 answered", "v1 answered", "requests", "step s", "req/s"], rows));
    lines.push(
      `  deploy #${good.id}: ${good.status}; requests during the canary ${goodAnswers.length}, failed ${goodFailed} (non-2xx/3xx and socket errors); shares measured from the 300th ms of each step to its end`,
    );
    const goodOk = good.status === "succeeded" && goodFailed === 0;
    lines.push(`  target: 0 failed ${goodOk ? "✔" : "✘"}`);
    ok &&= goodOk;

    // (2) a release failing FAIL_RATE of its requests
    await sleep(2000);
    const t2 = Date.now();
    const failedBefore2 = load.result.failed;
    log(`(2) canary of a bad release (v3, FAIL_RATE ${FAIL_RATE})`);
    const bad = await canaryDeploy(s, app, { FAIL_RATE: String(FAIL_RATE) });
    await sleep(2000);
    const t2end = Date.now();
    const badAnswers = answers.filter((a) => a.at >= t2 && a.at <= t2end);
    const v3 = badAnswers.filter((a) => a.release === "v3");
    const failed = badAnswers.filter((a) => a.status >= 500);
    const socketErrors =
      load.result.failed - failedBefore2 - badAnswers.filter((a) => a.status < 200 || a.status >= 400).length;
    const firstBad = v3.length ? v3[0].at : NaN;
    const lastBad = v3.length ? v3[v3.length - 1].at : NaN;
    const during = badAnswers.filter((a) => a.at >= firstBad && a.at <= lastBad);
    const v2During = during.filter((a) => a.release === "v2");
    const after = badAnswers.filter((a) => a.at > lastBad);
    const before = answers.filter((a) => a.at >= t1 - 2000 && a.at < t1);
    const rps = before.length / 2; // the steady rate before any canary
    const bound = (STEPS[0] / 100) * FAIL_RATE * STEP_SEC * rps;
    lines.push("", `bench:canary (2) bad release v2 → v3 answering 500 to ${f1(FAIL_RATE * 100)} % of its requests`);
    lines.push(`  deploy #${bad.id}: ${bad.status}: ${bad.reason}`);
    lines.push(
      `  failed requests before the abort: ${failed.length} (all answered by v3: ${failed.every((a) => a.release === "v3") ? "yes" : "NO"}), socket errors ${socketErrors}; v3 answered ${v3.length} requests in all`,
    );
    lines.push(
      `  first v3 answer → last v3 answer (weight 0 as the clients saw it): ${f1((lastBad - firstBad) / 1000)} s`,
    );
    lines.push(
      `  old release v2 meanwhile: ${v2During.length} of ${during.length} answers (${f1((100 * v2During.length) / Math.max(1, during.length))} %), all 200: ${v2During.every((a) => a.status === 200) ? "yes" : "NO"}; after the abort: ${after.length} answers, v2 ${after.filter((a) => a.release === "v2" && a.status === 200).length}`,
    );
    const live = (await s.api("GET", `/apps/${app}`)).body.liveRelease;
    lines.push(`  live release after the abort: v${live}`);
    lines.push(
      `  target: failures ≤ step weight × error rate × step duration × request rate = ${STEPS[0]} % × ${f1(FAIL_RATE * 100)} % × ${STEP_SEC} s × ${f1(rps)} req/s = ${f1(bound)}: ${failed.length <= bound ? "✔" : "✘"} (${failed.length}); stopped within the first step: ${/at step 1\//.test(bad.reason ?? "") ? "✔" : "✘"}`,
    );
    ok &&=
      bad.status === "failed" &&
      socketErrors === 0 &&
      failed.length <= bound &&
      failed.every((a) => a.release === "v3") &&
      live === 2 &&
      after.every((a) => a.release === "v2" && a.status === 200) &&
      /at step 1\//.test(bad.reason ?? "");
  } finally {
    await stopLoad();
  }
  lines.push(
    `  load: ${load.result.sent} requests sent in all, ${load.result.failed} failed${
      load.result.failures.length
        ? ` (first: ${load.result.failures
            .slice(0, 3)
            .map((f) => f.replace(/\s+/g, " ").trim())
            .join("; ")})`
        : ""
    }`,
  );
  process.stdout.write(lines.join("\n") + "\n");
  return ok ? 0 : 1;
}

runBench(main);
