/**
 * Per-server HAProxy weights (1..256 each; roundrobin balances each request
 * by them) so that the new release's servers together get `percent` of the
 * requests: nNew·wNew / (nNew·wNew + nOld·wOld) = percent / 100, exactly when
 * some pair of weights in range gives it, else as close as the range allows.
 */
export const MAX_WEIGHT = 256;

export interface ReleaseWeights {
  newWeight: number;
  oldWeight: number;
  /** the share the new release gets with these weights, in percent */
  actualPercent: number;
}

export function canaryWeights(percent: number, nNew: number, nOld: number): ReleaseWeights {
  if (percent <= 0 || nNew === 0) return { newWeight: 0, oldWeight: 100, actualPercent: 0 };
  if (percent >= 100 || nOld === 0) return { newWeight: 100, oldWeight: 0, actualPercent: 100 };
  let best: ReleaseWeights | null = null;
  for (let wn = 1; wn <= MAX_WEIGHT; wn++) {
    const ideal = (wn * nNew * (100 - percent)) / (percent * nOld);
    for (const wo of [Math.floor(ideal), Math.ceil(ideal)]) {
      if (wo < 1 || wo > MAX_WEIGHT) continue;
      const actual = (100 * nNew * wn) / (nNew * wn + nOld * wo);
      if (!best || Math.abs(actual - percent) < Math.abs(best.actualPercent - percent) - 1e-12)
        best = { newWeight: wn, oldWeight: wo, actualPercent: actual };
    }
    if (best && Math.abs(best.actualPercent - percent) < 1e-9) break;
  }
  return best ?? { newWeight: 1, oldWeight: MAX_WEIGHT, actualPercent: (100 * nNew) / (nNew + nOld * MAX_WEIGHT) };
}
