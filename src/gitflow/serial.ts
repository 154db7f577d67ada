/**
 * Work for one key (a parent app: fetches into its cache, review app
 * changes, webhook pushes) runs one at a time, in order.
 */
export class SerialQueues {
  private readonly queues = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(key) ?? Promise.resolve();
    const next = prev.catch(() => {}).then(fn);
    const tail = next.catch(() => {});
    this.queues.set(key, tail);
    void tail.then(() => this.queues.get(key) === tail && this.queues.delete(key));
    return next;
  }

  /** Everything queued now, settled. */
  pending(): Promise<unknown[]> {
    return Promise.all([...this.queues.values()]);
  }
}
