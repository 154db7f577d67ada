import { createReadStream } from "node:fs";
import { posix } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tarStream from "tar-stream";
import { AppError, isAppError } from "../errors/app-error.js";
import type { BuildLimits } from "./settings.js";

/** What Yadokari reads from a build context (the rest goes to Docker unread). */
export interface SourceFiles {
  hasDockerfile: boolean;
  procfile: string | null;
  appJson: string | null;
  /** the Dockerfile's text, for the build policy */
  dockerfile: string | null;
}

/** The small files Yadokari reads; larger ones are refused rather than truncated. */
const MAX_MANIFEST_BYTES = 1024 * 1024;
const READ = new Set(["Dockerfile", "Procfile", "app.json"]);
/** tar entry types a source tree has; devices, FIFOs and the like are refused */
const ALLOWED_TYPES = new Set(["file", "contiguous-file", "directory", "symlink", "link"]);

const bad = (message: string) => new AppError("invalid_context", `build context: ${message}`);

/** `./a//b/` → `a/b`; "" for the root itself. */
function normalName(name: string): string {
  return name
    .split("/")
    .filter((s) => s !== "" && s !== ".")
    .join("/");
}

/** Whether `target`, seen from the directory of `entry` (or from the root for hard links), stays inside the context. */
function staysInside(fromDir: string, target: string): boolean {
  const joined = posix.normalize(posix.join("/ctx", fromDir, target));
  return joined === "/ctx" || joined.startsWith("/ctx/");
}

/**
 * Reads a build context (tar or tar.gz) once, as a stream, before anything
 * reaches Docker: the expanded size and the entry count are counted as the
 * archive expands and reading stops at the first limit, so a small gzip of
 * zeros cannot fill the disk; every entry's path and link target must stay
 * inside the context; only files, directories and links are accepted, each
 * path once. Returns the few files Yadokari itself reads.
 */
export async function inspectContext(path: string, gzip: boolean, limits: BuildLimits): Promise<SourceFiles> {
  const out: SourceFiles = { hasDockerfile: false, procfile: null, appJson: null, dockerfile: null };
  const seen = new Set<string>();
  let entries = 0;
  let expanded = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      expanded += chunk.length;
      if (expanded > limits.maxContextBytes)
        return cb(
          new AppError(
            "payload_too_large",
            `the build context expands to more than ${mib(limits.maxContextBytes)} (YADOKARI_BUILD_MAX_CONTEXT_BYTES)`,
            "Leave out what the build does not need (.dockerignore), or ask an admin to raise YADOKARI_BUILD_MAX_CONTEXT_BYTES.",
          ),
        );
      cb(null, chunk);
    },
  });
  const extract = tarStream.extract();
  extract.on("entry", (header, stream, next) => {
    // the pipeline reports the first error; an entry cut short by it must not throw again on its own
    stream.on("error", () => {});
    try {
      if (++entries > limits.maxEntries)
        throw new AppError(
          "payload_too_large",
          `the build context has more than ${limits.maxEntries} entries (YADOKARI_BUILD_MAX_ENTRIES)`,
          "Leave out what the build does not need (.dockerignore, e.g. node_modules), or ask an admin to raise YADOKARI_BUILD_MAX_ENTRIES.",
        );
      const name = checkEntry(header, seen);
      if (READ.has(name) && header.type !== "file" && header.type !== "contiguous-file")
        throw bad(`${name} must be a regular file, not a ${header.type}`);
      if (READ.has(name) && (header.size ?? 0) > MAX_MANIFEST_BYTES)
        throw bad(`${name} is larger than ${mib(MAX_MANIFEST_BYTES)}`);
      if (name === "Dockerfile") out.hasDockerfile = true;
      if (READ.has(name)) {
        const chunks: Buffer[] = [];
        stream.on("data", (d: Buffer) => chunks.push(d));
        stream.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if (name === "Procfile") out.procfile = text;
          else if (name === "app.json") out.appJson = text;
          else out.dockerfile = text;
          next();
        });
        return;
      }
    } catch (e) {
      return next(e as Error);
    }
    stream.on("end", () => next());
    stream.resume();
  });
  try {
    const src = createReadStream(path);
    if (gzip) await pipeline(src, createGunzip(), meter, extract);
    else await pipeline(src, meter, extract);
  } catch (e) {
    if (isAppError(e)) throw e;
    throw new AppError(
      "invalid_request",
      `the build body is not a valid tar or tar.gz archive: ${(e as Error).message}`,
    );
  }
  return out;
}

/** One entry's rules; returns its normalized path. */
function checkEntry(header: tarStream.Headers, seen: Set<string>): string {
  const raw = header.name;
  const shown = JSON.stringify(raw.slice(0, 200));
  if (raw.includes("\0")) throw bad(`the path ${shown} contains a NUL byte`);
  if (raw.startsWith("/")) throw bad(`the path ${shown} is absolute; paths in the context are relative to it`);
  if (raw.split("/").includes("..")) throw bad(`the path ${shown} contains '..'`);
  if (!ALLOWED_TYPES.has(header.type ?? "file"))
    throw bad(`${shown} is a ${header.type}: only files, directories and links are accepted`);
  const name = normalName(raw);
  if (name === "" && header.type === "directory") return name; // "./" itself
  if (name === "") throw bad(`the path ${shown} names the context itself`);
  if (seen.has(name)) throw bad(`the path ${JSON.stringify(name.slice(0, 200))} is in the archive twice`);
  seen.add(name);
  if (header.type === "symlink" || header.type === "link") {
    const target = header.linkname ?? "";
    const kind = header.type === "symlink" ? "symbolic link" : "hard link";
    if (target === "" || target.includes("\0")) throw bad(`the ${kind} ${shown} has no valid target`);
    if (target.startsWith("/"))
      throw bad(
        `the ${kind} ${shown} points to the absolute path ${JSON.stringify(target.slice(0, 200))}, outside the context`,
      );
    const from = header.type === "symlink" ? posix.dirname(name) : "";
    if (!staysInside(from, target))
      throw bad(`the ${kind} ${shown} points to ${JSON.stringify(target.slice(0, 200))}, outside the context`);
  }
  return name;
}

const mib = (n: number) => (n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`);
