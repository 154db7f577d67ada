import { createReadStream, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { join } from "node:path";
import type { TestServer } from "../../test/helpers/yadokari.js";
import { isStopping } from "./cleanup.js";
import { runChild } from "./util.js";

/** One `yk deploy` run, from spawn to exit, with what the server recorded about it. */
export interface DeployRun {
  i: number;
  ok: boolean;
  ms: number;
  id: number | null;
  release: number | null;
  output: string;
  /**
   * Server-side step durations (ms) on the live path, summed per kind: "start
   * web-1" and "start web-2" add up under "start". "drain" and "remove" are
   * the retirements the deploy waited for (mid-rollout batches); the last one
   * ("retire", in the background) runs after the deploy is live and is left out.
   */
  steps: Record<string, number>;
  /** Web batches the deploy ran (its "gate web-N" steps). */
  webBatches: number;
  serverMs: number | null;
}

/** Marks the copy's server.js with the iteration: the fixture's Dockerfile COPYs only server.js. */
export function markSource(dir: string, i: number): void {
  const p = join(dir, "server.js");
  const lines = readFileSync(p, "utf8").split("\n");
  const mark = `// bench:deploy iteration ${i}`;
  if (lines[0].startsWith("// bench:deploy iteration ")) lines[0] = mark;
  else lines.unshift(mark);
  writeFileSync(p, lines.join("\n"));
}

export async function stepDurations(
  s: TestServer,
  app: string,
  id: number,
): Promise<{ steps: Record<string, number>; webBatches: number; serverMs: number | null }> {
  const d = (await s.api("GET", `/apps/${app}/deploys/${id}`)).body as {
    createdAt: string;
    finishedAt: string | null;
    steps: Array<{ name: string; startedAt: string; finishedAt: string | null }>;
  };
  const end = d.finishedAt ? Date.parse(d.finishedAt) : Infinity;
  const steps: Record<string, number> = {};
  let webBatches = 0;
  for (const st of d.steps ?? []) {
    if (/^gate web-\d+$/.test(st.name)) webBatches++;
    if (!st.finishedAt) continue;
    const started = Date.parse(st.startedAt);
    const finished = Date.parse(st.finishedAt);
    // A retire that started at or after the deploy finished is the off-path one.
    if (st.name === "retire" && (started >= end || finished > end)) continue;
    const kind = st.name.split(" ")[0];
    steps[kind] = (steps[kind] ?? 0) + (finished - started);
  }
  return { steps, webBatches, serverMs: d.finishedAt ? Date.parse(d.finishedAt) - Date.parse(d.createdAt) : null };
}

export interface CliDeployOptions {
  /** dist/src/main/cli.js */
  cli: string;
  timeoutMs: number;
  log: (line: string) => void;
}

export async function cliDeploy(
  s: TestServer,
  app: string,
  dir: string,
  configFile: string,
  i: number,
  o: CliDeployOptions,
): Promise<DeployRun> {
  const r = await runChild(process.execPath, [o.cli, "deploy", "-a", app, dir], {
    env: { ...process.env, YADOKARI_URL: s.url, YADOKARI_TOKEN: s.token, YADOKARI_CONFIG: configFile },
    timeoutMs: o.timeoutMs,
  });
  const id = Number(/Deploy #(\d+)/.exec(r.output)?.[1] ?? NaN);
  const release = Number(/release v(\d+)/.exec(r.output)?.[1] ?? NaN);
  const ok = r.code === 0 && !r.timedOut;
  const run: DeployRun = {
    i,
    ok,
    ms: r.ms,
    id: Number.isFinite(id) ? id : null,
    release: Number.isFinite(release) ? release : null,
    output: r.output,
    steps: {},
    webBatches: 0,
    serverMs: null,
  };
  if (run.id !== null && !isStopping()) Object.assign(run, await stepDurations(s, app, run.id).catch(() => ({})));
  if (isStopping()) throw new Error("interrupted");
  if (!ok) {
    o.log(
      `deploy ${i} of ${app} FAILED (exit ${r.code}${r.signal ? `, signal ${r.signal}` : ""}${r.timedOut ? `, cut off after ${o.timeoutMs / 1000} s` : ""}); its output:`,
    );
    process.stderr.write(r.output.replace(/^/gm, "    | ") + "\n");
  }
  return run;
}

/**
 * Reads the router's access log (one JSON object per request) for the app's
 * requests that did not end well: a status outside 2xx/3xx or a termination
 * state other than "----". Bounded in lines shown and in time.
 */
export async function accessLogFindings(file: string, host: string, maxShown = 12, maxMs = 60_000): Promise<string[]> {
  if (!existsSync(file)) return [`(no ${file})`];
  const shown: string[] = [];
  const counts = new Map<string, number>();
  let lines = 0;
  const deadline = Date.now() + maxMs;
  const rl = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  for await (const line of rl) {
    if (Date.now() > deadline) {
      shown.push(`(stopped reading after ${maxMs / 1000} s, ${lines} lines)`);
      break;
    }
    if (!line.startsWith("{")) {
      // HAProxy's own messages (reloads, server state changes, alerts): rare, and always worth showing.
      if (line.trim() && shown.length < maxShown) shown.push(`haproxy: ${line.slice(0, 240)}`);
      continue;
    }
    lines++;
    let e: { host?: string; status?: number; term?: string };
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    if (e.host !== host) continue;
    const bad =
      typeof e.status !== "number" || e.status < 200 || e.status >= 400 || (e.term !== undefined && e.term !== "----");
    if (!bad) continue;
    const key = `status ${e.status} term ${e.term}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (shown.length < maxShown) shown.push(line.slice(0, 400));
  }
  rl.close();
  const summary = [...counts].map(([k, v]) => `${v} × ${k}`).join(", ");
  return [
    `access log: ${lines} request lines; not ended well: ${summary || "none"} (a few CD-- at the very end are the load generators being stopped)`,
    ...shown,
  ];
}

/** The last lines of the server log that look like trouble. */
export function serverLogFindings(logPath: string, max = 15): string[] {
  const lines = existsSync(logPath)
    ? readFileSync(logPath, "utf8")
        .split("\n")
        .filter((l) => /error|fail|warn|restart|watchdog/i.test(l))
        .slice(-max)
    : [];
  return lines.length
    ? ["server.log (matching error|fail|warn|restart|watchdog):", ...lines.map((l) => `  ${l.slice(0, 300)}`)]
    : [];
}
