import type { EngineContext } from "./context.js";

/**
 * Removes the images of releases older than the last `ctx.keepReleases` (never
 * the live one's, never an image a kept release still uses).
 */
export async function collectImages(ctx: EngineContext, app: string): Promise<string[]> {
  const releases = ctx.store.listReleases(app); // newest first
  const liveId = ctx.store.getApp(app)?.liveReleaseId;
  const kept = new Set(releases.filter((r, i) => i < ctx.keepReleases || r.id === liveId).map((r) => r.image));
  const removed: string[] = [];
  for (const image of new Set(releases.map((r) => r.image))) {
    if (kept.has(image)) continue;
    if (await ctx.engine.images.remove(image)) removed.push(image);
  }
  if (removed.length) ctx.log(`${app}: removed ${removed.length} image(s) of old releases: ${removed.join(", ")}`);
  return removed;
}
