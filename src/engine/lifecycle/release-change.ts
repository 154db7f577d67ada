import type { Formation, Release } from "../../domain/types.js";
import { AppError } from "../../errors/app-error.js";
import { resolveFormation, type ReleaseContent } from "./intent.js";

/** The app's side of a release: its config vars and formation. */
export interface AppState {
  config: Record<string, string>;
  formation: Formation;
}

/** A release change with what it refers to looked up (a build done, a rollback's target read). */
export type AppliedChange =
  /** new content (a build, a promotion, a commit built before): formation defaults for new process types */
  | { kind: "content"; content: ReleaseContent }
  /** an old release's content, config and formation (a rollback) */
  | { kind: "restore"; release: Release }
  | { kind: "config"; set: Record<string, string>; unset: string[] }
  | { kind: "restart"; types: string[] | null };

export type ChangeResult =
  /** a new release: its content, config vars and formation (the commit writes the app's side) */
  | { kind: "release"; content: ReleaseContent; state: AppState }
  /** no new release: new units of the live one, for some process types or all */
  | { kind: "restart"; types: string[] | null };

const contentOf = (r: Release): ReleaseContent => ({
  image: r.image,
  commit: r.commit,
  processes: r.processes,
  healthcheck: r.healthcheck,
  manifest: r.manifest,
});

/**
 * A deploy's release: a pure function of the live release and the app's
 * state, the changes applied in order. Nothing is written here; the commit
 * step writes the app's side when the release goes live.
 */
export function applyChanges(live: Release | null, app: AppState, changes: AppliedChange[]): ChangeResult {
  if (changes.length > 0 && changes.every((c) => c.kind === "restart")) {
    const types = changes.some((c) => c.kind === "restart" && c.types === null)
      ? null
      : [...new Set(changes.flatMap((c) => (c.kind === "restart" ? (c.types ?? []) : [])))];
    return { kind: "restart", types };
  }
  let content: ReleaseContent | null = live ? contentOf(live) : null;
  let state: AppState = { config: { ...app.config }, formation: { ...app.formation } };
  for (const c of changes) {
    switch (c.kind) {
      case "content":
        content = c.content;
        state = {
          ...state,
          formation: resolveFormation(state.formation, c.content.manifest.formation, Object.keys(c.content.processes)),
        };
        break;
      case "restore":
        // Heroku's rollback restores the config vars and the formation too.
        content = contentOf(c.release);
        state = { config: { ...c.release.config }, formation: { ...c.release.formation } };
        break;
      case "config": {
        // A Map, not an object: "__proto__" is a valid name and must stay a plain key.
        const next = new Map(Object.entries(state.config));
        for (const [k, v] of Object.entries(c.set)) next.set(k, v);
        for (const k of c.unset) next.delete(k);
        state = { ...state, config: Object.fromEntries(next) };
        break;
      }
      case "restart":
        break; // moot beside a new release: every unit is new
    }
  }
  if (!content)
    throw new AppError("not_found", `app ${live?.app ?? ""} has no live release to change: deploy it first`);
  return { kind: "release", content, state };
}

/** Only the keys that change: what the commit step writes, so a value set meanwhile without a restart survives. */
export function configDelta(
  before: Record<string, string>,
  after: Record<string, string>,
): { set: Record<string, string>; unset: string[] } | null {
  const b = new Map(Object.entries(before));
  const a = new Map(Object.entries(after));
  const set: Record<string, string> = {};
  for (const [k, v] of a)
    if (b.get(k) !== v)
      Object.defineProperty(set, k, { value: v, enumerable: true, writable: true, configurable: true });
  const unset = [...b.keys()].filter((k) => !a.has(k));
  return Object.keys(set).length || unset.length ? { set, unset } : null;
}
