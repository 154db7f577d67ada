import { readFileSync } from "node:fs";

/**
 * Facts about a process, read from /proc, so that the router only ever
 * signals a pid that is alive and is an HAProxy running our config file
 * (a pid file can outlive its process, and pids are reused).
 */

/** Alive and not a zombie (a child we started and that exited stays a zombie until reaped). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) S ...": the state follows the last ')'.
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** The argv of a process, or null when it is gone. */
export function cmdline(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8")
      .split("\0")
      .filter((a) => a !== "");
  } catch {
    return null;
  }
}

/** True when `pid` is an HAProxy started with `-f configFile`. */
export function isHaproxyWithConfig(pid: number, configFile: string): boolean {
  const argv = cmdline(pid);
  if (!argv || argv.length === 0 || !argv[0].includes("haproxy")) return false;
  return argv.some((a, i) => a === "-f" && argv[i + 1] === configFile);
}

export function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(pid) && pid > 1 ? pid : null;
  } catch {
    return null;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` every `everyMs` until it returns true or `timeoutMs` passes. */
export async function waitUntil(
  probe: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}
