import type { SavedUpload } from "../../build/upload.js";
import type { Formation, ReleaseManifest } from "../../domain/types.js";
import type { HealthCheck } from "../../domain/health-check.js";

/** What a release is made of besides its config vars and formation. */
export interface ReleaseContent {
  image: string;
  commit: string | null;
  processes: Record<string, string | null>;
  healthcheck: HealthCheck;
  manifest: ReleaseManifest;
}

/**
 * One change a deploy makes to the live release, as data: stored with the
 * queued deploy (sealed, like config vars), so it survives a restart, and
 * applied when the deploy runs (src/engine/lifecycle/release-change.ts).
 */
export type ReleaseChange =
  /** a source to build (an upload, or a git commit archived by the server) */
  | { kind: "build"; upload: SavedUpload; commit: string | null; ref: string | null }
  /** config vars set and unset */
  | { kind: "config"; set: Record<string, string>; unset: string[] }
  /** a new release copying an old one's image, config and formation */
  | { kind: "rollback"; releaseId: number; version: number }
  /** blue-green: back to the standby set without starting anything (an ordinary rollback when folded) */
  | { kind: "switch-back"; releaseId: number; version: number }
  /** an image that exists already: a promotion, a git commit built before */
  | { kind: "content"; content: ReleaseContent }
  /** new units of the live release (some process types, or all) */
  | { kind: "restart"; types: string[] | null };

export interface DeployIntent {
  changes: ReleaseChange[];
  /** the release's description */
  description: string;
}

/** A change that replaces what the release runs (its image and commands). */
const replacesContent = (c: ReleaseChange) =>
  c.kind === "build" || c.kind === "rollback" || c.kind === "switch-back" || c.kind === "content";

/**
 * The newest queued deploy of an app supersedes the older queued ones by
 * folding their changes in front of its own, in order, so that nothing asked
 * for is lost (two queued config:set both apply) while work that the newer
 * ones make moot is skipped:
 *   - only the last change of content counts (an older build is never built;
 *     its upload is returned in `dropped` to be deleted);
 *   - config changes apply in order, on whatever content wins;
 *   - restarts are moot beside a new release (which replaces every unit);
 *     restarts alone merge their process types;
 *   - a switch back stays one only when it is alone.
 */
export function foldIntents(intents: DeployIntent[]): { intent: DeployIntent; dropped: ReleaseChange[] } {
  const all = intents.flatMap((i) => i.changes);
  let last = -1;
  all.forEach((c, i) => {
    if (replacesContent(c)) last = i;
  });
  const dropped = all.filter((c, i) => replacesContent(c) && i !== last);
  let kept = all.filter((c, i) => !replacesContent(c) || i === last);
  if (intents.length > 1)
    kept = kept.map((c) =>
      c.kind === "switch-back" ? { kind: "rollback", releaseId: c.releaseId, version: c.version } : c,
    );
  const restarts = kept.filter((c): c is Extract<ReleaseChange, { kind: "restart" }> => c.kind === "restart");
  if (restarts.length < kept.length) kept = kept.filter((c) => c.kind !== "restart");
  else if (restarts.length > 1) {
    const types = restarts.some((r) => r.types === null)
      ? null
      : [...new Set(restarts.flatMap((r) => r.types ?? []))].sort();
    kept = [{ kind: "restart", types }];
  }
  return {
    intent: { changes: kept, description: intents.map((i) => i.description).join(", then ") },
    dropped,
  };
}

/** The process types a deploy of these changes replaces: some (a restart), or all (undefined). */
export function restartOnly(changes: ReleaseChange[]): string[] | null | undefined {
  if (changes.length !== 1 || changes[0].kind !== "restart") return undefined;
  return changes[0].types;
}

/** The formation a change of content leaves: what the app has wins, then app.json's for new types, then one web. */
export function resolveFormation(current: Formation, fromAppJson: Formation, types: string[]): Formation {
  const out: Formation = { ...current };
  for (const t of types) if (out[t] === undefined) out[t] = fromAppJson[t] ?? (t === "web" ? 1 : 0);
  return out;
}
