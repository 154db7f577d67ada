import { writeFileSync, renameSync, fsyncSync, openSync, closeSync } from "node:fs";
import { dirname, basename, join } from "node:path";

/** The temporary path a file is written to before it is renamed into place. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

/**
 * Writes a file so that readers see either the old or the new content, never
 * a half-written one: write a temporary file beside it, fsync, rename.
 * `check` runs on the temporary path before the rename (e.g. `haproxy -c`);
 * if it throws, the old file stays.
 */
export async function atomicWrite(
  path: string,
  content: string,
  opts: { mode?: number; check?: (tmpPath: string) => Promise<void> } = {},
): Promise<void> {
  const tmp = tempPathFor(path);
  writeFileSync(tmp, content, { mode: opts.mode ?? 0o644 });
  const fd = openSync(tmp, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (opts.check) await opts.check(tmp);
  renameSync(tmp, path);
}
