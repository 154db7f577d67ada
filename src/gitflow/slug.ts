import { createHash } from "node:crypto";

/** A review app's host label `<slug>.<app>.<domain>`: short enough for a readable URL, at most one DNS label. */
export const MAX_SLUG = 40;
const HASH = 6;

const hash = (s: string, n = HASH) => createHash("sha256").update(s, "utf8").digest("hex").slice(0, n);

/** accents dropped, lowercase; every run of characters other than a-z0-9 becomes one '-'; trimmed of '-'. */
export function baseSlug(branch: string): string {
  // Accented letters keep their base letter (ü → u); other scripts become '-' and the hash carries them.
  return branch
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** Cuts `s` so that `s-<suffix>` fits in `max`, without a trailing '-'. */
function withSuffix(s: string, suffix: string, max: number): string {
  const head = s.slice(0, max - suffix.length - 1).replace(/-+$/, "");
  return head ? `${head}-${suffix}` : suffix;
}

/**
 * The DNS-label slug of a branch. `taken` maps the slugs already in use (for
 * the same parent app) to their branches. A slug that is too long, empty, or
 * already used by another branch gets a hash of the full branch name as a
 * suffix, so two branches never share one; the same branch always keeps its slug.
 */
export function branchSlug(branch: string, taken: ReadonlyMap<string, string> = new Map()): string {
  for (const [slug, b] of taken) if (b === branch) return slug;
  const base = baseSlug(branch);
  let slug = base && base.length <= MAX_SLUG ? base : withSuffix(base, hash(branch), MAX_SLUG);
  if (!taken.has(slug)) return slug;
  // Collision: a longer hash of the branch, then (never seen in practice) more of it.
  for (let n = HASH; n <= 64; n += 2) {
    slug = withSuffix(base, hash(branch, n), MAX_SLUG);
    if (!taken.has(slug)) return slug;
  }
  throw new Error(`no free slug for branch ${branch}`);
}

/** `<parent>-<slug>` as an app name (a DNS label of at most 30); shortened with a hash when longer. */
export function reviewAppName(parent: string, slug: string, max = 30): string {
  const full = `${parent}-${slug}`;
  if (full.length <= max) return full;
  return withSuffix(full, hash(full), max);
}
