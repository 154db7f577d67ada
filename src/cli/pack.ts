import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { createGzip } from "node:zlib";
import ignore from "ignore";
import { pack as tarPack } from "tar-stream";

/**
 * Packs a source directory into the tar.gz the build endpoint takes.
 *
 * .dockerignore patterns use gitignore syntax (via `ignore`), evaluated the
 * way Docker evaluates them: the LAST pattern that matches the path or one of
 * its parent directories decides. That is what makes the common whitelist
 * `*` then `!src` send src/ with everything inside it, which plain gitignore
 * rules would not.
 */

export interface PackEntry {
  /** Relative, "/"-separated path. */
  path: string;
  type: "file" | "directory" | "symlink";
  mode: number;
  size: number;
  linkname?: string;
}

/** Never sent: the build does not need history, and .git is often the largest directory. */
const ALWAYS_EXCLUDED = [".git"];
/** Always sent, even when listed, as Docker does: the builder needs them. */
const ALWAYS_INCLUDED = new Set(["Dockerfile", ".dockerignore"]);

interface Rule {
  negate: boolean;
  matcher: ReturnType<typeof ignore>;
}

function parseRules(text: string): Rule[] {
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    if (negate) line = line.slice(1).trim();
    // Docker strips leading "/" and "./"; gitignore would read "/x" as anchored, which is the same thing here.
    line = line.replace(/^(\.\/)+/, "");
    if (!line || line === "/" || line === ".") continue;
    rules.push({ negate, matcher: ignore().add(line) });
  }
  return rules;
}

/** Returns whether a relative path is sent to the builder (true) or left out (false). */
export function makeFilter(dockerignore: string): {
  includes(path: string, isDir: boolean): boolean;
  descend(dir: string): boolean;
} {
  const rules = parseRules(dockerignore);
  const always = ignore().add(ALWAYS_EXCLUDED);
  const hasNegations = rules.some((r) => r.negate);
  return {
    /** Whether to look inside a directory: an excluded one can hold a re-included file only when there is a "!" rule. */
    descend(dir: string): boolean {
      if (always.ignores(`${dir}/`)) return false;
      return hasNegations || this.includes(dir, true);
    },
    includes(path: string, isDir: boolean): boolean {
      const p = isDir ? `${path}/` : path;
      if (always.ignores(p)) return false;
      if (ALWAYS_INCLUDED.has(path) && !isDir) return true;
      let excluded = false;
      // `ignores` also answers true when a parent directory matches, which gives Docker's "path or parent" rule.
      for (const r of rules) if (r.matcher.ignores(p)) excluded = !r.negate;
      return !excluded;
    },
  };
}

async function readDockerignore(dir: string): Promise<string> {
  try {
    return await readFile(join(dir, ".dockerignore"), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw e;
  }
}

/** Lists what would be sent, sorted, so the same tree always gives the same archive. */
export async function listEntries(dir: string): Promise<PackEntry[]> {
  const filter = makeFilter(await readDockerignore(dir));
  const out: PackEntry[] = [];

  async function walk(rel: string): Promise<void> {
    const names = (await readdir(rel ? join(dir, rel) : dir)).sort();
    for (const name of names) {
      const path = rel ? `${rel}/${name}` : name;
      const st = await lstat(join(dir, path));
      if (st.isDirectory()) {
        if (filter.includes(path, true)) out.push({ path, type: "directory", mode: st.mode & 0o7777, size: 0 });
        // Skipping excluded directories whole keeps node_modules and the like from being walked.
        if (filter.descend(path)) await walk(path);
      } else if (st.isFile() || st.isSymbolicLink()) {
        if (!filter.includes(path, false)) continue;
        if (st.isSymbolicLink())
          out.push({
            path,
            type: "symlink",
            mode: st.mode & 0o7777,
            size: 0,
            linkname: await readlink(join(dir, path)),
          });
        else out.push({ path, type: "file", mode: st.mode & 0o7777, size: st.size });
      }
      // Sockets, FIFOs and devices cannot be built from and are skipped.
    }
  }

  await walk("");
  return out;
}

/** A fixed mtime makes the archive depend on content only (Docker's COPY cache ignores mtimes anyway). */
const FIXED_MTIME = new Date("1980-01-01T00:00:00Z");

/** Packs the directory (or the entries already listed from it) into a gzipped tar held in memory; returns it with the number of files. */
export async function packTarGz(
  dir: string,
  listed?: PackEntry[],
): Promise<{ data: Buffer; files: number; entries: PackEntry[] }> {
  const entries = listed ?? (await listEntries(dir));
  const tar = tarPack();
  const gzip = createGzip();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    gzip.on("data", (c: Buffer) => chunks.push(c));
    gzip.on("end", resolve);
    gzip.on("error", reject);
    tar.on("error", reject);
  });
  tar.pipe(gzip);
  const common = { mtime: FIXED_MTIME, uid: 0, gid: 0, uname: "root", gname: "root" };
  for (const e of entries) {
    if (e.type === "file") {
      const content = await readFile(join(dir, e.path));
      await addEntry(tar, { ...common, name: e.path, type: "file", mode: e.mode, size: content.length }, content);
    } else if (e.type === "directory") {
      await addEntry(tar, { ...common, name: `${e.path}/`, type: "directory", mode: e.mode });
    } else {
      await addEntry(tar, { ...common, name: e.path, type: "symlink", mode: e.mode, linkname: e.linkname });
    }
  }
  tar.finalize();
  await done;
  return { data: Buffer.concat(chunks), files: entries.filter((e) => e.type !== "directory").length, entries };
}

function addEntry(
  tar: ReturnType<typeof tarPack>,
  header: Parameters<ReturnType<typeof tarPack>["entry"]>[0],
  content?: Buffer,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const cb = (err?: Error | null) => (err ? reject(err) : resolve());
    if (content) tar.entry(header, content, cb);
    else tar.entry(header, cb);
  });
}
