import type { Command } from "commander";
import { Option } from "commander";
import type { MetricsView } from "../../metrics/view.js";
import type { Figures } from "../../metrics/series.js";
import { apiPath, usageError } from "../api-client.js";
import { windowSeconds } from "../../metrics/window.js";
import { renderJson, renderTable } from "../output.js";
import { appOption, jsonOption, type CliContext } from "./context.js";

const ms = (v: number | null) => (v === null ? "-" : v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`);
const pct = (v: number) => `${(v * 100).toFixed(2)} %`;

/** One row per release and window: the last minute, 5 minutes, and the asked window. */
export function renderMetrics(m: MetricsView): string {
  if (m.releases.length === 0)
    return `No requests measured for ${m.app} in the last ${m.windowSec} s (the router is sampled every ${m.intervalSec} s).\n`;
  const rows: string[][] = [];
  const row = (rel: string, window: string, f: Figures) =>
    rows.push([
      rel,
      window,
      f.rps.toFixed(1),
      String(f.requests),
      String(f.errors5xx),
      String(f.connErrors),
      pct(f.errorRate),
      ms(f.p50Ms),
      ms(f.p95Ms),
      ms(f.p99Ms),
      ms(f.rtimeAvgMs),
    ]);
  for (const r of m.releases) {
    const rel = `v${r.release}${r.live ? " (live)" : ""}`;
    row(rel, "1m", r.last1m);
    row("", "5m", r.last5m);
    row("", `${Math.round(m.windowSec / 60)}m`, r.window);
  }
  return renderTable(
    ["release", "window", "req/s", "requests", "5xx", "conn err", "errors", "p50", "p95", "p99", "avg rtime"],
    rows,
  );
}

export function registerMetrics(program: Command, ctx: CliContext): void {
  program
    .command("metrics")
    .description("request rate, errors and latency per release, measured by the router (last hour)")
    .addOption(appOption())
    .addOption(jsonOption())
    .addOption(new Option("--since <window>", "window: 90 (seconds), 30s, 10m, 1h; at most 65m").default("1h"))
    .action(async (opts: { app: string; json?: boolean; since: string }) => {
      if (windowSeconds(opts.since) === null)
        throw usageError(
          `--since '${opts.since}' is not a window the server keeps.`,
          "Use seconds or a unit, at most 65m (the server keeps a little over an hour): --since 90, --since 30s, --since 10m, --since 1h.",
        );
      const m = await ctx
        .api()
        .json<MetricsView>("GET", `${apiPath("apps", opts.app, "metrics")}?since=${encodeURIComponent(opts.since)}`);
      ctx.out(opts.json ? renderJson(m) : renderMetrics(m));
    });
}
