import type { LoadRun } from "./cpu-per-request.js";
import { median } from "./util.js";

/** bench:router's figures, keyed "variant|body". */
export interface Measured {
  /** the fixed-rate runs (CPU per request) */
  fixed: Map<string, LoadRun[]>;
  /** the runs as fast as wrk goes (throughput, latency) */
  saturated: Map<string, LoadRun[]>;
  /** per round: a variant's CPU per request / that of (b) measured with it */
  vsFeatures: Map<string, number[]>;
}

export interface ReportTarget {
  key: string;
  label: string;
}

export const TARGET_VS_FEATURES = 1.05;
export const TARGET_VS_DIRECT = 0.5;

export const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "-");
export const spread = (xs: number[], d: number) =>
  xs.length ? `${fmt(median(xs), d)} [${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)}]` : "-";

/** Prints the tables and the targets; returns the exit code (0: every target met and no failed request). */
export function report(
  m: Measured,
  o: { bodies: string[]; direct: ReportTarget; proxies: ReportTarget[]; rounds: number; saturated: boolean },
): number {
  console.log("");
  console.log(
    `HAProxy CPU µs per request at the fixed rate, median [min–max] over ${o.rounds} rounds; then as fast as it goes:`,
  );
  console.log(
    "body  " +
      "variant".padEnd(24) +
      "µs/req".padEnd(20) +
      ["req/s", "p50 ms", "p99 ms"].map((h) => h.padStart(8)).join("") +
      "  │" +
      ["max req/s", "p50 ms", "p99 ms", "µs/req", "failed"].map((h) => h.padStart(10)).join(""),
  );
  let failed = 0;
  for (const body of o.bodies)
    for (const t of [o.direct, ...o.proxies]) {
      const f = m.fixed.get(`${t.key}|${body}`) ?? [];
      const s = m.saturated.get(`${t.key}|${body}`) ?? [];
      const n = [...f, ...s].reduce((a, r) => a + r.failed, 0);
      failed += n;
      const med = (xs: LoadRun[], k: keyof LoadRun, d: number) => fmt(median(xs.map((r) => r[k])), d);
      console.log(
        body.padEnd(6) +
          t.label.padEnd(24) +
          spread(
            f.map((r) => r.usPerRequest),
            1,
          ).padEnd(20) +
          [med(f, "reqPerSec", 0), med(f, "p50ms", 2), med(f, "p99ms", 2)].map((v) => v.padStart(8)).join("") +
          "  │" +
          [med(s, "reqPerSec", 0), med(s, "p50ms", 2), med(s, "p99ms", 2), med(s, "usPerRequest", 1), String(n)]
            .map((v) => v.padStart(10))
            .join(""),
      );
    }

  console.log("");
  console.log("CPU per request relative to (b), each ratio taken within a round: median [min–max]");
  let ok = true;
  for (const body of o.bodies) {
    const vs = (k: string) => m.vsFeatures.get(`${k}|${body}`) ?? [];
    // X/a from the same rounds' X/b and a/b
    const vsBare = (k: string) => vs(k).map((r, i) => r / vs("a")[i]);
    const cb = vs("c");
    const met = median(cb) <= TARGET_VS_FEATURES;
    ok &&= met;
    console.log(
      `${body.padEnd(6)}c/b ${spread(cb, 3)} (target ≤ ${TARGET_VS_FEATURES}: ${met ? "met" : "MISSED"})   ` +
        `c/a ${spread(vsBare("c"), 3)}   d/b ${spread(vs("d"), 3)}   d/a ${spread(vsBare("d"), 3)}   a/b ${spread(vs("a"), 3)}`,
    );
    for (const t of o.proxies.filter((p) => !["a", "b", "c", "d"].includes(p.key)))
      console.log(
        `${body.padEnd(6)}${t.label}/b ${spread(vs(t.key), 3)}   ${t.label}/c ${spread(
          vs(t.key).map((r, i) => r / cb[i]),
          3,
        )}`,
      );
  }
  if (o.saturated && o.bodies.includes("small")) {
    const rps = (k: string) => (m.saturated.get(`${k}|small`) ?? []).map((r) => r.reqPerSec);
    const ratio = rps("c").map((r, i) => r / rps(o.direct.key)[i]);
    const met = median(ratio) >= TARGET_VS_DIRECT;
    ok &&= met;
    console.log(
      `small router/direct throughput ${spread(ratio, 2)} (target ≥ ${TARGET_VS_DIRECT}: ${met ? "met" : "MISSED"})`,
    );
  }
  if (failed > 0) console.log(`failed requests: ${failed}`);
  return ok && failed === 0 ? 0 : 1;
}
