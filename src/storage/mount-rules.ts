import { posix } from "node:path";
import { AppError } from "../errors/app-error.js";
import type { Mount } from "../domain/types.js";

/**
 * What a storage mount may be. Pure: the caller passes the allow-list, the
 * data dir and (for symlinks) a resolver. A mount is a host directory under
 * an allowed root, or a Docker named volume, at an absolute container path.
 * Docker's bind syntax is `source:target[:options]`, so neither side may hold
 * a `:` (no `:ro`, `:rshared`… smuggled in) nor a control character.
 */

export const DEFAULT_STORAGE_ROOT = "/var/lib/yadokari-storage";
const MAX_PATH = 4096;
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,63}$/;

/** Host paths that are never mounted, nor anything under them, nor any directory that contains them. */
export const REFUSED_HOST_PATHS = [
  "/var/run/docker.sock",
  "/run/docker.sock",
  "/etc",
  "/proc",
  "/sys",
  "/dev",
  "/boot",
  "/root",
] as const;

export interface MountRules {
  /** host directories under which bind mounts are allowed (YADOKARI_STORAGE_ROOTS) */
  roots: string[];
  /** the server's data dir: the store, the master key and the admin token live there */
  dataDir: string;
  /** the app mounting: its bind sources lie in its own directory, ROOT/<app>/… (when given) */
  app?: string;
  /** an admin sharing storage deliberately: any directory under a root (still no links, no nesting) */
  shared?: boolean;
}

export type MountKind = "bind" | "volume";

/** YADOKARI_STORAGE_ROOTS: colon-separated absolute paths; entries that are not absolute, normalized and below / are ignored. */
export function storageRoots(value: string | undefined): string[] {
  const entries = (value ?? DEFAULT_STORAGE_ROOT).split(":").filter((r) => r !== "");
  return entries.filter((r) => r !== "/" && isNormalAbsolute(r));
}

export const mountKind = (source: string): MountKind => (source.startsWith("/") ? "bind" : "volume");

const refuse = (message: string, hint?: string) => new AppError("invalid_mount", message, hint);

/** `/a/b` with no empty, `.` or `..` segment and no trailing slash. */
function isNormalAbsolute(p: string): boolean {
  if (!p.startsWith("/")) return false;
  return p
    .slice(1)
    .split("/")
    .every((seg) => seg !== "" && seg !== "." && seg !== "..");
}

/** Things neither side of a mount may contain, whatever else it is. */
function checkText(field: string, value: unknown): string {
  if (typeof value !== "string" || value === "") throw refuse(`storage: ${field} must be a non-empty string`);
  if (value.length > MAX_PATH) throw refuse(`storage: ${field} is longer than ${MAX_PATH} characters`);
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw refuse(`storage: ${field} contains a control character (NUL, newline, tab…)`);
  if (value.includes(":"))
    throw refuse(
      `storage: ${field} ${JSON.stringify(value)} contains ':'; mount options cannot be given through a path`,
    );
  return value;
}

/** An absolute, normalized path: the rule shared by host and container paths. */
function checkAbsolute(field: string, p: string): void {
  if (p === "/") throw refuse(`storage: ${field} "/" is refused: mount a directory, not the whole filesystem`);
  if (!p.startsWith("/")) throw refuse(`storage: ${field} ${JSON.stringify(p)} is relative; use an absolute path`);
  const segs = p.slice(1).split("/");
  if (segs.includes("..")) throw refuse(`storage: ${field} ${JSON.stringify(p)} contains '..'`);
  if (!isNormalAbsolute(p))
    throw refuse(
      `storage: ${field} ${JSON.stringify(p)} is not normalized (no '//', '.' segments or trailing '/'); use ${JSON.stringify(posix.normalize(p).replace(/\/+$/, "") || "/")}`,
    );
}

const within = (p: string, dir: string) => p === dir || p.startsWith(dir + "/");

/** Checks a host path against the deny-list and the allow-list (already known to be absolute and normalized). */
function checkHostPlace(p: string, rules: MountRules, shown: string): void {
  const refused = [...REFUSED_HOST_PATHS, posix.normalize(rules.dataDir).replace(/\/+$/, "")];
  for (const d of refused) {
    if (p === d) throw refuse(`storage: host path ${shown} is refused: ${d} is never mounted into containers`);
    if (within(p, d))
      throw refuse(`storage: host path ${shown} is refused: it is inside ${d}, which is never mounted into containers`);
    if (d.startsWith(p + "/"))
      throw refuse(`storage: host path ${shown} is refused: it contains ${d}, which is never mounted into containers`);
  }
  if (!rules.roots.some((r) => p.startsWith(r + "/"))) {
    throw refuse(
      `storage: host path ${shown} is not under an allowed storage root (${rules.roots.join(", ") || "none configured"})`,
      "Use a directory below a root in YADOKARI_STORAGE_ROOTS (colon-separated, set on the server; default /var/lib/yadokari-storage), or a named volume.",
    );
  }
  const app = rules.app;
  if (app !== undefined && !rules.shared && !rules.roots.some((r) => within(p, `${r}/${app}`))) {
    throw refuse(
      `storage: host path ${shown} is not in ${app}'s own directory (${rules.roots.map((r) => `${r}/${app}/…`).join(", ")}): an app mounts its own directories only`,
      `Use ${rules.roots[0]}/${app}/NAME; Yadokari creates it. An admin can share another directory deliberately (shared: true).`,
    );
  }
}

/** The container side: absolute, normalized, not `/`. */
export function checkContainerPath(value: unknown): string {
  const p = checkText("containerPath", value);
  checkAbsolute("containerPath", p);
  return p;
}

/**
 * Validates one mount. `resolve` maps a host path to where it really points
 * (symlinks), so a link under an allowed root cannot reach /etc; it returns
 * the path itself when nothing on the way is a link.
 */
export function validateMount(
  input: { source: unknown; containerPath: unknown },
  rules: MountRules,
  resolve: (p: string) => string = (p) => p,
): Mount {
  const source = checkText("source", input.source);
  const containerPath = checkContainerPath(input.containerPath);
  if (source.startsWith("/")) {
    checkAbsolute("source", source);
    checkHostPlace(source, rules, source);
    const real = resolve(source);
    if (real !== source) checkHostPlace(real, rules, `${source} (a link to ${real})`);
  } else if (source.startsWith(".") || source.includes("/")) {
    throw refuse(
      `storage: source ${JSON.stringify(source)} is a relative path; use an absolute host path or a volume name`,
    );
  } else if (!VOLUME_NAME.test(source)) {
    throw refuse(
      `storage: volume name ${JSON.stringify(source)} must be 2 to 64 characters of [a-zA-Z0-9_.-], starting with a letter or digit`,
    );
  }
  return { hostPath: source, containerPath };
}

/** `SOURCE:CONTAINER_PATH` as the CLI takes it: exactly one ':'. */
export function parseMountArg(arg: string): { source: string; containerPath: string } {
  const parts = arg.split(":");
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw refuse(
      `storage: ${JSON.stringify(arg)} must be HOST_PATH:CONTAINER_PATH or VOLUME_NAME:CONTAINER_PATH, with exactly one ':' (mount options are not accepted)`,
    );
  }
  return { source: parts[0], containerPath: parts[1] };
}

/**
 * Where a host path really leads: the deepest existing ancestor is resolved
 * (symlinks followed) and the rest appended, because Docker creates a
 * missing bind source through whatever links lead to it.
 */
export function resolveThroughLinks(p: string, realpath: (p: string) => string | null): string {
  const segs = p.slice(1).split("/");
  for (let i = segs.length; i > 0; i--) {
    const head = "/" + segs.slice(0, i).join("/");
    const real = realpath(head);
    if (real !== null) return posix.join(real, ...segs.slice(i));
  }
  return p;
}
