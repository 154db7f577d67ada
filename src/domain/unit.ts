import type { UnitKind, UnitMeta } from "../engines/engine.js";

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
