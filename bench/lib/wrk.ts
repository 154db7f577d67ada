import { spawn } from "node:child_process";
import { onCleanup } from "./cleanup.js";

/** What wrk's summary says. `failed` = non-2xx/3xx + every socket error. */
export interface WrkSummary {
  /** Responses wrk read to the end (wrk's "N requests in T"): it includes non-2xx/3xx, not requests cut by a socket error. */
  requests: number;
  seconds: number;
  non2xx3xx: number;
  connect: number;
  read: number;
  write: number;
  timeout: number;
  socketErrors: number;
  failed: number;
  reqPerSec: number;
  p50: string | null;
  p99: string | null;
  maxLatency: string | null;
  /** wrk stopped by itself (its -d bound) before stop() was called: the load did not cover the whole run. */
  endedEarly: boolean;
  raw: string;
}

const UNIT_S: Record<string, number> = { us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Parses wrk's text summary. Throws when there is no "N requests in T" line. */
export function parseWrk(raw: string, endedEarly = false): WrkSummary {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m|h)\b/.exec(raw);
  if (!total) throw new Error(`no summary in wrk's output:\n${raw.slice(-2000)}`);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(raw);
  const non = /Non-2xx or 3xx responses: (\d+)/.exec(raw);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(raw);
  const pct = (p: string) => new RegExp(`^\\s+${p}%\\s+(\\S+)`, "m").exec(raw)?.[1] ?? null;
  const max = /^\s+Latency\s+\S+\s+\S+\s+(\S+)/m.exec(raw)?.[1] ?? null;
  const [connect, read, write, timeout] = sock ? sock.slice(1, 5).map(Number) : [0, 0, 0, 0];
  const non2xx3xx = non ? Number(non[1]) : 0;
  const socketErrors = connect + read + write + timeout;
  return {
    requests: Number(total[1]),
    seconds: Number(total[2]) * UNIT_S[total[3]],
    non2xx3xx,
    connect,
    read,
    write,
    timeout,
    socketErrors,
    failed: non2xx3xx + socketErrors,
    reqPerSec: rps ? Number(rps[1]) : 0,
    p50: pct("50"),
    p99: pct("99"),
    maxLatency: max,
    endedEarly,
    raw,
  };
}

export interface WrkOptions {
  /** http://127.0.0.1:PORT/ only. */
  url: string;
  host?: string;
  threads: number;
  connections: number;
  /** -d: a safe upper bound; stop() ends it earlier with SIGINT (wrk prints its summary on SIGINT). */
  maxSeconds: number;
  /** --timeout: a response slower than this counts as a timeout error. */
  timeoutSeconds: number;
}

export function wrkArgs(o: WrkOptions): string[] {
  const u = new URL(o.url);
  if (u.hostname !== "127.0.0.1") throw new Error(`wrk targets 127.0.0.1 only, not ${u.hostname}`);
  return [
    "-t",
    String(o.threads),
    "-c",
    String(o.connections),
    "-d",
    `${Math.ceil(o.maxSeconds)}s`,
    "--timeout",
    `${o.timeoutSeconds}s`,
    "--latency",
    ...(o.host ? ["-H", `Host: ${o.host}`] : []),
    o.url,
  ];
}

/**
 * Starts wrk (keep-alive is its default) as a child process, argv only.
 * stop() sends SIGINT, waits for the summary (bounded), and parses it.
 */
export async function startWrk(o: WrkOptions): Promise<{ pid: number; stop: () => Promise<WrkSummary> }> {
  const child = spawn("wrk", wrkArgs(o), { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
  const streamsClosed = Promise.all([
    new Promise((r) => child.stdout.once("close", r)),
    new Promise((r) => child.stderr.once("close", r)),
  ]);
  let exited = false;
  let stopping = false;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exited = true;
      resolve();
    });
    child.once("error", (e) => {
      exited = true;
      out += `\nspawn error: ${e.message}`;
      resolve();
    });
  });
  const kill = onCleanup(`wrk (pid ${child.pid})`, async () => {
    if (exited) return;
    child.kill("SIGINT");
    await Promise.race([exit, new Promise((r) => setTimeout(r, 5000))]);
    if (!exited) child.kill("SIGKILL");
  });
  // wrk prints "Running ..." at once; give it a moment to open its connections.
  await new Promise((r) => setTimeout(r, 500));
  if (exited) throw new Error(`wrk exited at start: ${out}`);
  return {
    pid: child.pid!,
    stop: async () => {
      if (stopping) throw new Error("wrk already stopped");
      stopping = true;
      const endedEarly = exited;
      if (!exited) {
        child.kill("SIGINT");
        const t = setTimeout(() => child.kill("SIGKILL"), 15000);
        await exit;
        clearTimeout(t);
      }
      await kill();
      // stdout 'data' may arrive after 'exit': wait for the streams to end (bounded).
      await Promise.race([streamsClosed, new Promise((r) => setTimeout(r, 2000))]);
      return parseWrk(out, endedEarly);
    },
  };
}
