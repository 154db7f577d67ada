import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runChild } from "./util.js";
import { parseWrk } from "./wrk.js";

/**
 * One wrk run against a URL, with HAProxy's own CPU time over the run
 * (`perf stat -e task-clock -p PID`, every thread of the process). CPU time
 * per request at a rate well below saturation is what is compared: on a
 * shared 2-core machine throughput moves ±15 % between runs, CPU per request
 * a few percent, because it does not depend on who else got the cores.
 */
export interface LoadRun {
  requests: number;
  reqPerSec: number;
  p50ms: number;
  p99ms: number;
  failed: number;
  /** HAProxy's CPU time over the run, ms; NaN when no process was watched (direct) */
  cpuMs: number;
  /** cpuMs per request, in µs */
  usPerRequest: number;
}

export interface LoadOptions {
  url: string;
  host: string;
  seconds: number;
  connections: number;
  /** HAProxy's pid (all its threads are counted); null: no CPU figure (direct to the app) */
  pid: number | null;
  /** A wrk Lua script (a pause per request for the fixed rate); null: as fast as it goes */
  script: string | null;
  /** Run wrk on this CPU only (taskset -c), or anywhere when null. */
  cpu: number | null;
}

/** A wrk script that waits `ms` before each request on a connection: with C connections, about C/(ms + latency) req/s. */
export function writeDelayScript(dir: string, ms: number): string {
  const path = join(dir, "delay.lua");
  writeFileSync(path, `function delay()\n  return ${Math.round(ms)}\nend\n`);
  return path;
}

const UNIT_MS: Record<string, number> = { us: 1e-3, ms: 1, s: 1000, m: 60_000 };
export const latencyMs = (v: string | null): number => {
  const m = v ? /^([\d.]+)(us|ms|s|m)$/.exec(v) : null;
  return m ? Number(m[1]) * UNIT_MS[m[2]] : NaN;
};

/** perf stat -x, prints "1234.56,msec,task-clock,..." on stderr. */
export function parseTaskClockMs(out: string): number {
  const m = /^([\d.]+),msec,task-clock/m.exec(out);
  if (!m) throw new Error(`perf stat printed no task-clock line:\n${out.slice(-1500)}`);
  return Number(m[1]);
}

export async function loadRun(o: LoadOptions): Promise<LoadRun> {
  const wrk = [
    "wrk",
    "-t1",
    `-c${o.connections}`,
    `-d${o.seconds}s`,
    "--latency",
    ...(o.script ? ["-s", o.script] : []),
    "-H",
    `Host: ${o.host}`,
    o.url,
  ];
  const pinned = o.cpu === null ? wrk : ["taskset", "-c", String(o.cpu), ...wrk];
  const argv =
    o.pid === null ? pinned : ["perf", "stat", "-e", "task-clock", "-x", ",", "-p", String(o.pid), "--", ...pinned];
  const r = await runChild(argv[0], argv.slice(1), { timeoutMs: (o.seconds + 30) * 1000 });
  if (r.code !== 0) throw new Error(`${argv.join(" ")} exited with ${r.code ?? r.signal}:\n${r.output.slice(-1500)}`);
  const w = parseWrk(r.output);
  const cpuMs = o.pid === null ? NaN : parseTaskClockMs(r.output);
  return {
    requests: w.requests,
    reqPerSec: w.reqPerSec,
    p50ms: latencyMs(w.p50),
    p99ms: latencyMs(w.p99),
    failed: w.failed,
    cpuMs,
    usPerRequest: w.requests > 0 ? (cpuMs * 1000) / w.requests : NaN,
  };
}
