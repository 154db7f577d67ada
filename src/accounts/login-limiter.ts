import type { Clock } from "../lib/clock.js";

/**
 * Rate limit for failed logins: at most `max` failures for one account from
 * one address within `windowMs`, and `perAccountMax` for one account from
 * all addresses together (guessing spread over many addresses). Never per
 * address alone: failures from one address for other accounts (a NAT, an
 * office, an attacker next door) must not lock out everyone behind it. A
 * success clears the account+address key. Pure apart from the clock; at
 * most `maxKeys` keys are kept, oldest dropped first.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly opts = { max: 5, perAccountMax: 50, windowMs: 15 * 60_000, maxKeys: 100_000 },
  ) {}

  private recent(key: string): number[] {
    const now = this.clock.now().getTime();
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.opts.windowMs);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  private keys(email: string, ip: string): [string, string] {
    const account = email.toLowerCase();
    return [`${account}|${ip}`, `${account}|`];
  }

  /** Milliseconds until another attempt is allowed, or 0 when it is allowed now. */
  retryAfterMs(email: string, ip: string): number {
    const now = this.clock.now().getTime();
    const [pair, account] = this.keys(email, ip);
    const waits = [
      [this.recent(pair), this.opts.max] as const,
      [this.recent(account), this.opts.perAccountMax] as const,
    ].map(([list, max]) => (list.length >= max ? list[list.length - max] + this.opts.windowMs - now : 0));
    return Math.max(0, ...waits);
  }

  fail(email: string, ip: string): void {
    const now = this.clock.now().getTime();
    for (const key of this.keys(email, ip)) {
      const list = [...this.recent(key), now];
      this.failures.delete(key); // re-inserted last: the map's order is the age of the last failure
      this.failures.set(key, list);
    }
    while (this.failures.size > this.opts.maxKeys) this.failures.delete(this.failures.keys().next().value!);
  }

  succeed(email: string, ip: string): void {
    this.failures.delete(this.keys(email, ip)[0]);
  }
}
