/**
 * A fixed-bucket latency histogram (ms). Buckets grow by at most 25 %, so a
 * quantile read from it is within its bucket: good enough to compare two
 * releases' p95, and histograms of any two intervals add up exactly.
 */
export const BUCKET_BOUNDS_MS: readonly number[] = [
  1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250, 300, 400, 500, 600, 800, 1000,
  1200, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 8000, 10000, 15000, 20000, 30000, 60000,
];

/** counts[i] = values ≤ BUCKET_BOUNDS_MS[i] (and > the bound before); the last slot holds larger ones. */
export type Histogram = number[];

export const emptyHistogram = (): Histogram => new Array<number>(BUCKET_BOUNDS_MS.length + 1).fill(0);

export function addValue(h: Histogram, ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) return;
  let i = 0;
  while (i < BUCKET_BOUNDS_MS.length && ms > BUCKET_BOUNDS_MS[i]) i++;
  h[i]++;
}

export function mergeInto(into: Histogram, from: Histogram): Histogram {
  for (let i = 0; i < into.length; i++) into[i] += from[i] ?? 0;
  return into;
}

export const histogramCount = (h: Histogram): number => h.reduce((a, b) => a + b, 0);

/**
 * The q-quantile (0 < q ≤ 1), interpolated linearly inside its bucket; null
 * when empty. Values past the last bound report that bound.
 */
export function quantile(h: Histogram, q: number): number | null {
  const n = histogramCount(h);
  if (n === 0) return null;
  const rank = q * n;
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    if (h[i] === 0) continue;
    if (seen + h[i] >= rank) {
      if (i >= BUCKET_BOUNDS_MS.length) return BUCKET_BOUNDS_MS[BUCKET_BOUNDS_MS.length - 1];
      const lo = i === 0 ? 0 : BUCKET_BOUNDS_MS[i - 1];
      const hi = BUCKET_BOUNDS_MS[i];
      return lo + ((hi - lo) * Math.max(0, rank - seen)) / h[i];
    }
    seen += h[i];
  }
  return BUCKET_BOUNDS_MS[BUCKET_BOUNDS_MS.length - 1];
}
