import { createReadStream, createWriteStream, lstatSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join, normalize, sep } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import tarStream from "tar-stream";
import { AppError } from "../../errors/app-error.js";

type Pack = ReturnType<typeof tarStream.pack>;

export function addBuffer(pack: Pack, name: string, data: Buffer, mode = 0o600): Promise<void> {
  return new Promise((resolve, reject) =>
    pack.entry({ name, mode, size: data.length }, data, (e) => (e ? reject(e) : resolve())),
  );
}

export async function addFile(pack: Pack, name: string, path: string): Promise<void> {
  const st = lstatSync(path);
  await new Promise<void>((resolve, reject) => {
    const entry = pack.entry({ name, mode: st.mode & 0o777, size: st.size, mtime: st.mtime }, (e) =>
      e ? reject(e) : resolve(),
    );
    createReadStream(path).on("error", reject).pipe(entry);
  });
}

/** Every regular file under `dir` (git repositories, certificates), with its mode; other kinds are skipped. */
export async function addTree(pack: Pack, prefix: string, dir: string): Promise<number> {
  let n = 0;
  const walk = async (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(dir, r));
      if (st.isDirectory()) await walk(r);
      else if (st.isFile()) {
        await addFile(pack, `${prefix}/${r}`, join(dir, r));
        n++;
      }
    }
  };
  await walk("");
  return n;
}

/**
 * Unpacks a backup's tar into `dir`: regular files and directories only, every
 * path relative and inside `dir` (a crafted archive cannot write elsewhere).
 */
export async function extractTo(input: Readable, dir: string): Promise<string[]> {
  const names: string[] = [];
  const extract = tarStream.extract();
  extract.on("entry", (header, stream, next) => {
    const rel = normalize(header.name);
    if (rel.startsWith("..") || rel.startsWith(sep) || rel.includes(`${sep}..${sep}`) || rel === "..") {
      stream.resume();
      return next(new AppError("bad_backup", `not a readable Yadokari backup: unsafe path ${header.name}`));
    }
    const target = join(dir, rel);
    if (header.type === "directory") {
      mkdirSync(target, { recursive: true, mode: 0o700 });
      stream.resume();
      return next();
    }
    if (header.type !== "file") {
      stream.resume();
      return next();
    }
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    names.push(rel);
    pipeline(stream, createWriteStream(target, { mode: (header.mode ?? 0o600) & 0o700 })).then(() => next(), next);
  });
  await pipeline(input, extract);
  return names;
}
