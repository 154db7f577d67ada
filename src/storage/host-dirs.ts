import { lstatSync, mkdirSync } from "node:fs";
import { AppError } from "../errors/app-error.js";
import type { ErrorCode } from "../errors/codes.js";

/**
 * Makes sure a bind source is a chain of plain directories below its storage
 * root, creating the missing levels one at a time and following no link:
 * Docker resolves links in a bind source when it starts a container, so a
 * link anywhere below the root (planted by a container through another mount,
 * or left on the host) would bind whatever it points to, the host's / included.
 * Run when a mount is added (invalid_mount) and again before every container
 * is created with it (storage_unsafe). The root itself is the admin's setting
 * and is trusted as it is.
 */
export function ensurePlainDirs(root: string, path: string, code: ErrorCode = "storage_unsafe"): void {
  if (path !== root && !path.startsWith(root + "/"))
    throw new AppError(code, `storage: ${path} is not under the storage root ${root}`);
  mkdirSync(root, { recursive: true, mode: 0o755 });
  let at = root;
  for (const seg of path
    .slice(root.length + 1)
    .split("/")
    .filter(Boolean)) {
    at = `${at}/${seg}`;
    let st = lstatOrNull(at);
    if (st === null) {
      try {
        mkdirSync(at, { mode: 0o755 }); // one level: never through a link
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
      st = lstatOrNull(at); // what is there now, whoever made it
    }
    if (st?.isSymbolicLink())
      throw new AppError(code, `storage: ${at} is a link; mounted host directories may not contain links on their way`);
    if (!st?.isDirectory()) throw new AppError(code, `storage: ${at} is not a directory`);
  }
}

function lstatOrNull(p: string) {
  try {
    return lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

/** The storage root a host path is under (the longest), or null. */
export function rootOf(path: string, roots: readonly string[]): string | null {
  const under = roots.filter((r) => path === r || path.startsWith(r + "/"));
  return under.sort((a, b) => b.length - a.length)[0] ?? null;
}

/** Whether one host path is strictly inside the other: a container could then swap the inner one for a link. */
export function nested(a: string, b: string): boolean {
  return a.startsWith(b + "/") || b.startsWith(a + "/");
}
