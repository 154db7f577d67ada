import type { DeployStatus } from "./types.js";

/**
 * Where a release stands: the live one; one that was live before (a
 * rollback may go back to it); one whose deploy is still running; or one
 * that never went live (its deploy failed, was superseded, or it never had
 * one that got it out).
 */
export type ReleaseStatus = "live" | "previously-live" | "deploying" | "never-live";

/** What the store knows of a release's life (src/store/release-history.ts). */
export interface ReleaseOutcome {
  /** the last time a deploy of it succeeded (it went live then); null: never */
  lastLiveAt: string | null;
  /** the deploy that made it (the first one that names it); null for releases made before deploys recorded them */
  deploy: {
    id: number;
    status: DeployStatus;
    errorCode: string | null;
    reason: string | null;
    /** the first step of that deploy that failed */
    failedStep: string | null;
  } | null;
}

export function releaseStatus(releaseId: number, liveId: number | null, o: ReleaseOutcome | undefined): ReleaseStatus {
  if (releaseId === liveId) return "live";
  if (o?.lastLiveAt) return "previously-live";
  const s = o?.deploy?.status;
  if (s === "queued" || s === "building" || s === "deploying") return "deploying";
  return "never-live";
}

/**
 * The release a plain rollback goes to: the one that was live last before the
 * live one (ties, which the clock's resolution allows, go to the newer version).
 */
export function lastLiveBefore<R extends { id: number; version: number }>(
  releases: R[],
  liveId: number | null,
  outcomes: Map<number, ReleaseOutcome>,
): R | null {
  const candidates = releases.filter((r) => r.id !== liveId && outcomes.get(r.id)?.lastLiveAt);
  candidates.sort(
    (a, b) => outcomes.get(b.id)!.lastLiveAt!.localeCompare(outcomes.get(a.id)!.lastLiveAt!) || b.version - a.version,
  );
  return candidates[0] ?? null;
}

/** "failed at step gate web-1 (health_check_failed)": how a never-live release's deploy ended, in words. */
export function howItEnded(o: ReleaseOutcome | undefined): string {
  const d = o?.deploy;
  if (!d) return "no deploy of it went live";
  if (d.status === "superseded") return `its deploy #${d.id} was superseded`;
  if (d.status === "failed")
    return `its deploy #${d.id} failed${d.failedStep ? ` at step ${d.failedStep}` : ""}${d.errorCode ? ` (${d.errorCode})` : ""}`;
  if (d.status === "succeeded") return `its deploy #${d.id} succeeded, but another release went live`;
  return `its deploy #${d.id} is ${d.status}`;
}
