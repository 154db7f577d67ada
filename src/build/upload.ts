import { createWriteStream, mkdirSync, rmSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { join } from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { AppError } from "../errors/app-error.js";
import type { SourceFiles } from "./context-check.js";

/** The server's default limit of a build upload (YADOKARI_MAX_UPLOAD_BYTES), and the most it may be set to. */
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;
export const UPLOAD_LIMIT_MAX = 16 * 1024 * 1024 * 1024;

export interface SavedUpload {
  path: string;
  sha256: string;
  bytes: number;
  gzip: boolean;
  /** set once the context passed the checks (src/build/source-check.ts), so the build does not read it twice */
  checked?: SourceFiles;
}

/** Streams an uploaded build context to a file, hashing it on the way, bounded in size. */
export async function saveUpload(body: Readable, dir: string, maxBytes = MAX_UPLOAD_BYTES): Promise<SavedUpload> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `upload-${Date.now()}-${randomBytes(4).toString("hex")}.tar`);
  const hash = createHash("sha256");
  let bytes = 0;
  let head: Buffer | null = null;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      if (bytes > maxBytes)
        return cb(new AppError("payload_too_large", `the build context is larger than ${maxBytes >> 20} MiB`));
      if (!head) head = chunk.subarray(0, 2);
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(body, meter, createWriteStream(path, { mode: 0o600 }));
  } catch (e) {
    rmSync(path, { force: true }); // a refused or broken upload leaves nothing behind
    throw e;
  }
  if (bytes === 0) {
    rmSync(path, { force: true });
    throw new AppError("invalid_request", "the build body is empty: send a tar or tar.gz of the app's source");
  }
  const h = head as Buffer | null;
  return { path, sha256: hash.digest("hex"), bytes, gzip: !!h && h[0] === 0x1f && h[1] === 0x8b };
}
