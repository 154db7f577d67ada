import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";

/** Nearest-rank percentile (p in 0..100) of a non-empty list; NaN when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export const median = (values: number[]) => {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const secs = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : "-");

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From spawn to the child's exit. */
  ms: number;
  output: string;
  timedOut: boolean;
}

/** Runs a command (argv, no shell), bounded: SIGTERM at `timeoutMs`, SIGKILL 5 s later. */
export function runChild(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number },
): Promise<ChildResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env: opts.env, cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let timedOut = false;
    let exitAt = 0;
    let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
    const term = setTimeout(() => {
      timedOut = true;
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5000).unref();
    }, opts.timeoutMs);
    child.once("exit", (code, signal) => {
      exitAt = performance.now();
      exitInfo = { code, signal };
    });
    child.once("error", (e) => {
      clearTimeout(term);
      resolve({
        code: null,
        signal: null,
        ms: performance.now() - t0,
        output: `${output}\nspawn error: ${e.message}`,
        timedOut,
      });
    });
    // 'close' comes after the output is read; the time is taken at 'exit'.
    child.once("close", (code, signal) => {
      clearTimeout(term);
      const info = exitInfo ?? { code, signal };
      resolve({ code: info.code, signal: info.signal, ms: (exitAt || performance.now()) - t0, output, timedOut });
    });
  });
}
