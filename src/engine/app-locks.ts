/**
 * Per-app serialization: deploys and destroys of one app run one at a time,
 * in order. `busy` also counts background work (retiring old containers) so
 * that the reconciler leaves an app alone while anything touches it.
 */
export class AppLocks {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly busyCount = new Map<string, number>();
  private readonly background = new Map<string, Set<Promise<unknown>>>();

  run<T>(app: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(app) ?? Promise.resolve();
    const next = prev.catch(() => {}).then(() => this.hold(app, fn));
    this.chains.set(app, next);
    void next
      .catch(() => {})
      .finally(() => {
        if (this.chains.get(app) === next) this.chains.delete(app);
      });
    return next;
  }

  /** Marks the app busy while fn runs, without serializing against deploys. */
  async hold<T>(app: string, fn: () => Promise<T>): Promise<T> {
    this.busyCount.set(app, (this.busyCount.get(app) ?? 0) + 1);
    try {
      return await fn();
    } finally {
      const n = (this.busyCount.get(app) ?? 1) - 1;
      if (n <= 0) this.busyCount.delete(app);
      else this.busyCount.set(app, n);
    }
  }

  /** Tracks background work of an app (an old container draining) that the next deploy must wait for. */
  track(app: string, work: Promise<unknown>): void {
    const set = this.background.get(app) ?? new Set();
    this.background.set(app, set);
    const p = work.catch(() => {}).finally(() => set.delete(p));
    set.add(p);
  }

  /** Resolves when the app's tracked background work has ended. */
  async settled(app: string): Promise<void> {
    while (this.background.get(app)?.size) await Promise.all([...this.background.get(app)!]);
  }

  busy(app: string): boolean {
    return (this.busyCount.get(app) ?? 0) > 0;
  }

  /** Waits until every queued and running operation has finished (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.chains.size) await Promise.allSettled([...this.chains.values()]);
  }
}
