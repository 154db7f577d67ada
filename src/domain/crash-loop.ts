/**
 * Crash-looping: three crashes in a row and not running again yet (the
 * backoff is cleared as soon as every unit of the type runs, so `yk ps` and
 * `yk apps` stop saying "crashed" then, not a minute later).
 */
export const crashLooping = (h: { crashesInRow: number; backoffUntil: string | null } | undefined): boolean =>
  !!h && h.crashesInRow >= 3 && h.backoffUntil !== null;
