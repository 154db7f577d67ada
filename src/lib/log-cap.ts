import { copyFileSync, statSync, truncateSync } from "node:fs";

/**
 * Keeps a log file that another process appends to (HAProxy's access log,
 * the server log written by a shell redirect) from filling the disk: past
 * `maxBytes` it is copied to `<path>.1` and truncated in place. The writer
 * keeps its descriptor (opened with O_APPEND, so it writes at the new end);
 * lines written between the copy and the truncate are lost, which is the
 * price of not having to signal the writer.
 */
export function capLogFile(path: string, maxBytes: number): boolean {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return false; // not there (yet)
  }
  if (size <= maxBytes) return false;
  copyFileSync(path, `${path}.1`);
  truncateSync(path, 0);
  return true;
}
