/** A process of the formation (web, worker, …), or a one-off: `yk run`, a cron run, a release phase. */
export type UnitKind = "process" | "run" | "cron" | "release";

/** What a unit's owner keeps with its record (a cron run's id, a run's detach flag). */
export type UnitMeta = Record<string, string | number | boolean>;

/**
 * A unit the platform created, as the store recorded it when it created it:
 * the record, not a label on the container, says which app, process and
 * release it belongs to. `id` is null between the record and the engine's answer.
 */
export interface UnitRecord {
  name: string;
  id: string | null;
  app: string;
  process: string;
  kind: UnitKind;
  releaseId: number | null;
  releaseVersion: number;
  meta: UnitMeta;
  createdAt: string;
}
