import { createWriteStream, createReadStream, mkdirSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { join } from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tarStream from "tar-stream";
import { AppError } from "../errors/app-error.js";

/** The server's default limit of a build upload (YADOKARI_MAX_UPLOAD_BYTES), and the most it may be set to. */
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;
export const UPLOAD_LIMIT_MAX = 16 * 1024 * 1024 * 1024;

export interface SavedUpload {
  path: string;
  sha256: string;
  bytes: number;
  gzip: boolean;
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
  await pipeline(body, meter, createWriteStream(path, { mode: 0o600 }));
  if (bytes === 0)
    throw new AppError("invalid_request", "the build body is empty: send a tar or tar.gz of the app's source");
  const h = head as Buffer | null;
  return { path, sha256: hash.digest("hex"), bytes, gzip: !!h && h[0] === 0x1f && h[1] === 0x8b };
}

export interface SourceFiles {
  hasDockerfile: boolean;
  procfile: string | null;
  appJson: string | null;
}

const WANTED = new Set(["Procfile", "app.json"]);
const norm = (name: string) => name.replace(/^(\.\/)+/, "");

/** Reads the few files Yadokari itself needs from a build context, without unpacking it. */
export async function readSourceFiles(upload: SavedUpload): Promise<SourceFiles> {
  const out: SourceFiles = { hasDockerfile: false, procfile: null, appJson: null };
  const extract = tarStream.extract();
  extract.on("entry", (header, stream, next) => {
    const name = norm(header.name);
    if (name === "Dockerfile") out.hasDockerfile = true;
    if (WANTED.has(name) && header.type === "file" && (header.size ?? 0) < 1024 * 1024) {
      const chunks: Buffer[] = [];
      stream.on("data", (d: Buffer) => chunks.push(d));
      stream.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        if (name === "Procfile") out.procfile = text;
        else out.appJson = text;
        next();
      });
    } else {
      stream.on("end", () => next());
      stream.resume();
    }
  });
  try {
    const src = createReadStream(upload.path);
    if (upload.gzip) await pipeline(src, createGunzip(), extract);
    else await pipeline(src, extract);
  } catch (e) {
    throw new AppError(
      "invalid_request",
      `the build body is not a valid tar or tar.gz archive: ${(e as Error).message}`,
    );
  }
  return out;
}
