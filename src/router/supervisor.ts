import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync } from "node:fs";
import { AppError } from "../errors/app-error.js";
import { atomicWrite } from "../lib/atomic-write.js";
import { run } from "../lib/run.js";
import type { RouterPaths } from "./paths.js";
import { isAlive, isHaproxyWithConfig, readPid, sleep, waitUntil } from "./proc.js";
import type { RuntimeClient } from "./runtime-client.js";
import { parseShowInfo } from "./stat-parse.js";

/**
 * Starts, adopts, reloads and stops one HAProxy in master-worker mode. The
 * master runs detached from Node (own session, output to haproxy.log), so
 * apps keep being served while the Yadokari server restarts or crashes; the
 * next server adopts it through the pid file. It only ever signals the pid it
 * started or adopted, after checking that this pid is an HAProxy running our
 * config file.
 */

export interface SupervisorOptions {
  bin: string;
  paths: RouterPaths;
  client: RuntimeClient;
  startTimeoutMs?: number;
  reloadTimeoutMs?: number;
}

export class HaproxySupervisor {
  private masterPid: number | null = null;
  private readonly bin: string;
  private readonly paths: RouterPaths;
  private readonly client: RuntimeClient;
  private readonly startTimeoutMs: number;
  private readonly reloadTimeoutMs: number;

  constructor(opts: SupervisorOptions) {
    this.bin = opts.bin;
    this.paths = opts.paths;
    this.client = opts.client;
    this.startTimeoutMs = opts.startTimeoutMs ?? 10_000;
    this.reloadTimeoutMs = opts.reloadTimeoutMs ?? 15_000;
  }

  pid(): number | null {
    return this.masterPid;
  }

  /** `haproxy -c`: throws with HAProxy's own words when the config is invalid. */
  async check(configPath: string): Promise<void> {
    const r = await run(this.bin, ["-c", "-f", configPath], { timeoutMs: 30_000 }).catch((e: Error) => {
      throw new AppError(
        "router_failed",
        `router: cannot run ${this.bin}: ${e.message}`,
        "Install HAProxy 2.6 or later (apt-get install haproxy) or set the router's haproxyBin.",
      );
    });
    if (r.code !== 0) {
      const lines = `${r.stdout}\n${r.stderr}`.split("\n").filter((l) => l.includes("ALERT"));
      const why = lines.slice(0, 3).join(" | ") || `haproxy -c exited with ${r.code ?? r.signal}`;
      throw new AppError(
        "router_failed",
        `router: the rendered HAProxy config is invalid: ${why}`,
        "This is a bug in Yadokari's router renderer; the previous config is still in use. Report it with the message above.",
      );
    }
  }

  /** The process we started or adopted is alive, ours, and its admin socket answers. */
  async isRunning(): Promise<boolean> {
    const pid = this.masterPid;
    if (pid === null || !isAlive(pid) || !isHaproxyWithConfig(pid, this.paths.config)) return false;
    return this.client.ping();
  }

  /**
   * Takes over the HAProxy named by the pid file when it is alive, runs our
   * config and answers. One that is ours but never answers (wedged) is
   * stopped, so that a fresh one can be started.
   */
  async adopt(): Promise<boolean> {
    const pid = readPid(this.paths.pid);
    if (pid === null || !isAlive(pid) || !isHaproxyWithConfig(pid, this.paths.config)) return false;
    if (await waitUntil(() => this.client.ping(), 5_000, 100)) {
      this.masterPid = pid;
      return true;
    }
    await this.terminate(pid);
    return false;
  }

  async start(): Promise<number> {
    mkdirSync(this.paths.dir, { recursive: true });
    rotateLog(this.paths.log);
    const fd = openSync(this.paths.log, "a", 0o600);
    const child = spawn(this.bin, ["-W", "-S", `${this.paths.masterSocket},mode,600`, "-f", this.paths.config], {
      detached: true,
      stdio: ["ignore", fd, fd],
    });
    closeSync(fd);
    const ended: { why: string | null } = { why: null };
    child.once("error", (e) => (ended.why = `could not be started (${e.message})`));
    child.once("exit", (code, signal) => (ended.why = `exited with ${signal ?? `status ${code}`}`));
    child.unref();
    const up = await waitUntil(async () => ended.why !== null || (await this.client.ping()), this.startTimeoutMs, 50);
    if (ended.why !== null || !up || child.pid === undefined) {
      if (child.pid !== undefined && ended.why === null) await this.terminate(child.pid);
      throw new AppError(
        "router_failed",
        `router: HAProxy ${ended.why ?? `did not answer on ${this.paths.adminSocket} within ${this.startTimeoutMs} ms`}: ${logTail(this.paths.log)}`,
        `Read ${this.paths.log}; a common cause is the listen port being in use or needing root (port 80).`,
      );
    }
    this.masterPid = child.pid;
    // HAProxy writes the pid file itself (pidfile in the config); make sure
    // it names this process even if that line is missing.
    if (readPid(this.paths.pid) !== child.pid) await atomicWrite(this.paths.pid, `${child.pid}\n`);
    return child.pid;
  }

  /**
   * Reload: SIGUSR2 makes the master re-read the config and fork a new worker
   * that takes the listening sockets over; the old worker finishes its
   * requests. Done when the admin socket is served by a new worker that
   * reports the expected config fingerprint.
   */
  async reload(expectedFingerprint: string): Promise<void> {
    const pid = this.requireOurs();
    const before = parseShowInfo(await this.client.send("show info")).Pid;
    process.kill(pid, "SIGUSR2");
    const done = await waitUntil(
      async () => {
        if (!isAlive(pid)) return true;
        const info = parseShowInfo(await this.client.send("show info").catch(() => ""));
        return info.Pid !== undefined && info.Pid !== before && info.description === expectedFingerprint;
      },
      this.reloadTimeoutMs,
      50,
    );
    if (!isAlive(pid)) {
      this.masterPid = null;
      throw new AppError(
        "router_failed",
        `router: HAProxy (pid ${pid}) exited during a reload: ${logTail(this.paths.log)}`,
        `Read ${this.paths.log}; the server restarts HAProxy with the new config.`,
      );
    }
    if (!done) {
      throw new AppError(
        "router_failed",
        `router: HAProxy did not load the new config within ${this.reloadTimeoutMs} ms: ${logTail(this.paths.log)}`,
        `Read ${this.paths.log}; the old worker keeps serving the previous config.`,
      );
    }
  }

  /** Stops the HAProxy we started or adopted (used by tests and shutdown scripts). */
  async stop(): Promise<void> {
    const pid = this.masterPid;
    this.masterPid = null;
    if (pid !== null && isHaproxyWithConfig(pid, this.paths.config)) await this.terminate(pid);
    if (pid !== null && readPid(this.paths.pid) === pid) rmSync(this.paths.pid, { force: true });
  }

  private requireOurs(): number {
    const pid = this.masterPid;
    if (pid === null || !isAlive(pid) || !isHaproxyWithConfig(pid, this.paths.config)) {
      throw new AppError(
        "router_failed",
        "router: no HAProxy of ours is running",
        "Call ensureRunning() first; the server does at start.",
      );
    }
    return pid;
  }

  /** SIGTERM (the master stops its workers), then SIGKILL if it lingers. */
  private async terminate(pid: number): Promise<void> {
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(pid, s);
      } catch {
        /* already gone */
      }
    };
    signal("SIGTERM");
    if (await waitUntil(() => !isAlive(pid), 5_000, 25)) return;
    signal("SIGKILL");
    await waitUntil(() => !isAlive(pid), 2_000, 25);
    await sleep(0);
  }
}

/** The last HAProxy messages (not access-log lines) of its log, for error messages. */
function logTail(file: string): string {
  try {
    const size = statSync(file).size;
    const buf = Buffer.alloc(Math.min(size, 8192));
    const fd = openSync(file, "r");
    try {
      readSync(fd, buf, 0, buf.length, size - buf.length);
    } finally {
      closeSync(fd);
    }
    return (
      buf
        .toString("utf8")
        .split("\n")
        .filter((l) => /ALERT|WARNING|NOTICE|\[/.test(l) && !l.startsWith("{"))
        .slice(-4)
        .join(" | ") || "(nothing in the log)"
    );
  } catch {
    return "(no log)";
  }
}

/** Keeps one previous log: the file is appended to for the life of a process. */
function rotateLog(file: string): void {
  try {
    if (statSync(file).size > 64 * 1024 * 1024) {
      renameSync(file, `${file}.1`);
    }
  } catch {
    /* no log yet */
  }
}
