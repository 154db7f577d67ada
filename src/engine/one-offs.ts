import type { UnitSpec } from "../engines/engine.js";
import type { OwnedUnit, Units } from "./units.js";

export interface FollowOptions {
  onLine: (line: string) => void;
  /** how many earlier lines to replay (an adopted unit's last lines) */
  tail?: number;
  /** ms since the epoch, by the injected clock: past it the unit is stopped and reported timed out */
  deadline: number;
  pollMs: number;
  /** the server is stopping: stop following and leave the unit running (the next start adopts it) */
  signal?: AbortSignal;
  /** asked at every poll: stop the unit now (a cron run replaced by a newer one) */
  stopRequested?: () => boolean;
  onTimeout?: () => void;
  stopTimeoutSec: number;
}

export type FollowEnd =
  | { kind: "exited"; exitCode: number | null; timedOut: boolean; stopped: boolean }
  /** removed by someone else before its end was seen */
  | { kind: "gone" }
  /** following stopped (signal): the unit goes on */
  | { kind: "detached" };

const ENDED = new Set(["exited", "dead"]);

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

/**
 * The one runner of one-off units: a release phase, a cron run, `yk run`
 * (attached or detached). Every one is a recorded unit of the live release,
 * started, followed to its end (output line by line, stopped past its
 * deadline or on request), and removed by its owner; the sweep removes what
 * no owner claims any more.
 */
export class OneOffs {
  /** units followed to their end by this process */
  private readonly followed = new Set<string>();

  constructor(
    readonly units: Units,
    private readonly now: () => number,
  ) {}

  /** Records, creates and starts a one-off unit. */
  start(spec: UnitSpec): Promise<OwnedUnit> {
    return this.units.start(spec);
  }

  /** Records and creates a one-off unit without starting it (an attached run starts once attached). */
  create(spec: UnitSpec): Promise<string> {
    return this.units.create(spec);
  }

  /** Follows a unit to its end: its output, a stop past the deadline or on request. */
  async follow(id: string, o: FollowOptions): Promise<FollowEnd> {
    this.followed.add(id);
    const logAbort = new AbortController();
    const logs = this.units
      .followLogs(id, { tail: o.tail ?? 100000, follow: true, onLine: o.onLine, signal: logAbort.signal })
      .catch(() => {});
    let timedOut = false;
    let stopped = false;
    try {
      for (;;) {
        if (o.signal?.aborted) return { kind: "detached" };
        if (!stopped && o.stopRequested?.()) {
          stopped = true;
          await this.units.stop(id, o.stopTimeoutSec);
        }
        const u = await this.units.get(id);
        if (!u) return { kind: "gone" };
        if (ENDED.has(u.state)) {
          // the log stream ends with the unit; give it a moment to deliver the last lines
          await Promise.race([logs, sleep(2000)]);
          return { kind: "exited", exitCode: u.exitCode, timedOut, stopped };
        }
        if (!timedOut && this.now() >= o.deadline) {
          timedOut = true;
          o.onTimeout?.();
          await this.units.stop(id, 5);
          continue;
        }
        await sleep(o.pollMs, o.signal);
      }
    } finally {
      logAbort.abort();
      this.followed.delete(id);
    }
  }

  /** Starts a unit, follows it to its end, removes it (a release phase). */
  async runToEnd(
    spec: UnitSpec,
    o: { onLine: (line: string) => void; timeoutSec: number; pollMs?: number },
  ): Promise<{ exitCode: number | null; timedOut: boolean }> {
    const u = await this.start(spec);
    try {
      const end = await this.follow(u.id, {
        onLine: o.onLine,
        deadline: this.now() + o.timeoutSec * 1000,
        pollMs: o.pollMs ?? 100,
        stopTimeoutSec: 5,
      });
      return end.kind === "exited"
        ? { exitCode: end.exitCode, timedOut: end.timedOut }
        : { exitCode: null, timedOut: false };
    } finally {
      await this.units.remove(u.id).catch(() => {});
    }
  }

  /** Recorded one-off units (of an app, of a kind). */
  async list(filter: { app?: string; kind?: "run" | "cron" | "release" } = {}): Promise<OwnedUnit[]> {
    return this.units.list({ app: filter.app, kind: filter.kind ?? "one-off" });
  }

  isFollowed(id: string): boolean {
    return this.followed.has(id);
  }

  /** Release-phase units nobody follows (their deploy ended with the server that ran it): removed. */
  async sweepReleasePhases(): Promise<string[]> {
    const orphans = (await this.list({ kind: "release" })).filter((u) => !this.followed.has(u.id));
    await Promise.all(orphans.map((u) => this.units.retire(u.id, 5)));
    return orphans.map((u) => u.id);
  }
}
