import type { Clock } from "../lib/clock.js";

/**
 * Rate limit for failed logins: at most `max` failures per key within
 * `windowMs`, counted per account+address and per address alone (so
 * guessing many accounts from one address is limited too). A success
 * clears the account+address key. Pure apart from the clock.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly opts = { max: 5, perIpMax: 20, windowMs: 15 * 60_000 },
  ) {}

  private recent(key: string): number[] {
    const now = this.clock.now().getTime();
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.opts.windowMs);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** Milliseconds until another attempt is allowed, or 0 when it is allowed now. */
  retryAfterMs(email: string, ip: string): number {
    const now = this.clock.now().getTime();
    const waits = [
      [this.recent(`${email.toLowerCase()}|${ip}`), this.opts.max] as const,
      [this.recent(`|${ip}`), this.opts.perIpMax] as const,
    ].map(([list, max]) => (list.length >= max ? list[list.length - max] + this.opts.windowMs - now : 0));
    return Math.max(0, ...waits);
  }

  fail(email: string, ip: string): void {
    const now = this.clock.now().getTime();
    for (const key of [`${email.toLowerCase()}|${ip}`, `|${ip}`]) this.failures.set(key, [...this.recent(key), now]);
  }

  succeed(email: string, ip: string): void {
    this.failures.delete(`${email.toLowerCase()}|${ip}`);
  }
}
