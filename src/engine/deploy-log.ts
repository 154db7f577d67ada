import { EventEmitter } from "node:events";
import type { Store } from "../store/store.js";
import { silentLogger, type Logger } from "../lib/logger.js";

/**
 * A deploy's log: every line is stored (so it can be read later), pushed
 * to whoever follows it live (the CLI, a git push's `remote:` lines), and
 * written to the server log with its deploy id and app.
 */
export class DeployLogs {
  private readonly seq = new Map<number, number>();
  private readonly bus = new EventEmitter();
  /** the server log of each deploy in progress, carrying its deployId and app */
  private readonly loggers = new Map<number, Logger>();

  constructor(
    private readonly store: Store,
    private readonly log: Logger = silentLogger,
  ) {
    this.bus.setMaxListeners(0);
  }

  private logger(deployId: number): Logger {
    let l = this.loggers.get(deployId);
    if (!l) {
      l = this.log.child({ deployId, app: this.store.getDeploy(deployId)?.app ?? null });
      this.loggers.set(deployId, l);
    }
    return l;
  }

  line(deployId: number, text: string): void {
    const n = (this.seq.get(deployId) ?? this.store.readLog(deployId).length) + 1;
    this.seq.set(deployId, n);
    this.store.appendLog(deployId, n, text);
    this.logger(deployId).info(text);
    this.bus.emit(`line:${deployId}`, text);
  }

  end(deployId: number): void {
    this.seq.delete(deployId);
    this.loggers.delete(deployId);
    this.bus.emit(`end:${deployId}`);
  }

  /** Resolves once the deploy's log has ended (at once when `isFinished` already says so). */
  whenEnded(deployId: number, isFinished: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      if (isFinished()) return resolve();
      const ev = `end:${deployId}`;
      this.bus.once(ev, () => resolve());
    });
  }

  /** Replays the stored lines, then follows until the deploy ends (or the caller unsubscribes). */
  follow(deployId: number, isFinished: () => boolean, onLine: (l: string) => void, onEnd: () => void): () => void {
    const lineEv = `line:${deployId}`;
    const endEv = `end:${deployId}`;
    const stop = () => {
      this.bus.off(lineEv, onLine);
      this.bus.off(endEv, finish);
    };
    const finish = () => {
      stop();
      onEnd();
    };
    // follow() runs synchronously (better-sqlite3 is synchronous), so no line can be emitted between the replay and the subscription.
    for (const l of this.store.readLog(deployId)) onLine(l);
    if (isFinished()) {
      onEnd();
      return () => {};
    }
    this.bus.on(lineEv, onLine);
    this.bus.on(endEv, finish);
    return stop;
  }
}
