import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { AppError } from "../errors/app-error.js";

/** The argv of a live process, or null when there is none (or it is a zombie). */
export function processArgv(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (state === "Z" || state === "X") return null;
    return readFileSync(`/proc/${pid}/cmdline`, "utf8")
      .split("\0")
      .filter((a) => a !== "");
  } catch {
    return null;
  }
}

/** A Yadokari server process: `node …/cli.js server …` (a reused pid is something else). */
export function isYadokariServer(pid: number): boolean {
  const argv = processArgv(pid);
  return !!argv && argv.some((a) => /(cli\.js|\/yk|\/yadokari)$/.test(a)) && argv.includes("server");
}

export function readPidFile(path: string): number | null {
  try {
    const n = Number(readFileSync(path, "utf8").trim());
    return Number.isInteger(n) && n > 1 ? n : null;
  } catch {
    return null;
  }
}

/** The pid of the server that runs with this data dir, or null (no file, a stale one, a reused pid). */
export function runningServerPid(path: string): number | null {
  const pid = readPidFile(path);
  return pid !== null && isYadokariServer(pid) ? pid : null;
}

/**
 * `DATA_DIR/server.pid`: written at start, removed at a clean exit. One
 * server per data dir: a second one would run a second reconciler against
 * the same store and HAProxy, so it is refused while the first one lives.
 */
export class PidFile {
  constructor(readonly path: string) {}

  acquire(pid = process.pid): void {
    const other = runningServerPid(this.path);
    if (other !== null && other !== pid)
      throw new AppError(
        "server_running",
        `another Yadokari server (pid ${other}) runs with this data directory (${this.path})`,
      );
    writeFileSync(this.path, `${pid}\n`, { mode: 0o644 });
  }

  /** Removes the file if it still names this process. */
  release(pid = process.pid): void {
    if (readPidFile(this.path) === pid) rmSync(this.path, { force: true });
  }
}
