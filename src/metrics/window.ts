/** The longest metrics window: the hour (and a little) that the server keeps. */
export const MAX_WINDOW_SEC = 3900;

/**
 * A metrics window: seconds ("90"), or 30s / 10m / 1h, at most 65m (left out: the hour; "" is not one). Null when
 * the text is not one; the API and the CLI (`yk metrics --since`) word their
 * own errors.
 */
export function windowSeconds(text: string | undefined): number | null {
  if (text === undefined) return 3600;
  const m = /^(\d{1,5})(s|m|h)?$/.exec(text);
  const sec = m ? Number(m[1]) * (m[2] === "h" ? 3600 : m[2] === "m" ? 60 : 1) : NaN;
  return sec >= 1 && sec <= MAX_WINDOW_SEC ? sec : null;
}
