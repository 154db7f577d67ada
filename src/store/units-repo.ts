import type { Db } from "./db.js";
import type { Clock } from "../lib/clock.js";
import type { UnitRecord } from "../domain/unit.js";
import type { UnitKind, UnitMeta } from "../engines/engine.js";

interface UnitRow {
  name: string;
  id: string | null;
  app: string;
  process: string;
  kind: UnitKind;
  release_id: number | null;
  release_version: number;
  meta: string;
  created_at: string;
}
const toUnit = (r: UnitRow): UnitRecord => ({
  name: r.name,
  id: r.id,
  app: r.app,
  process: r.process,
  kind: r.kind,
  releaseId: r.release_id,
  releaseVersion: r.release_version,
  meta: JSON.parse(r.meta),
  createdAt: r.created_at,
});

/** The units table: what the engines created for us (see src/engine/units.ts). */
export class UnitRepo {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Records a unit about to be created (its id comes once the engine has it). */
  record(u: Omit<UnitRecord, "id" | "createdAt">): void {
    this.db
      .prepare(
        "INSERT INTO units (name, id, app, process, kind, release_id, release_version, meta, created_at) VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?)",
      )
      .run(
        u.name,
        u.app,
        u.process,
        u.kind,
        u.releaseId,
        u.releaseVersion,
        JSON.stringify(u.meta),
        this.clock.now().toISOString(),
      );
  }
  /** Records a unit that exists already (adopted at an upgrade). */
  adopt(u: Omit<UnitRecord, "createdAt"> & { id: string }): void {
    this.db
      .prepare(
        "INSERT OR IGNORE INTO units (name, id, app, process, kind, release_id, release_version, meta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      )
      .run(
        u.name,
        u.id,
        u.app,
        u.process,
        u.kind,
        u.releaseId,
        u.releaseVersion,
        JSON.stringify(u.meta),
        this.clock.now().toISOString(),
      );
  }
  setId(name: string, id: string): void {
    this.db.prepare("UPDATE units SET id = ? WHERE name = ?").run(id, name);
  }
  setMeta(id: string, meta: UnitMeta): void {
    this.db.prepare("UPDATE units SET meta = ? WHERE id = ?").run(JSON.stringify(meta), id);
  }
  byId(id: string): UnitRecord | null {
    const r = this.db.prepare("SELECT * FROM units WHERE id = ?").get(id) as UnitRow | undefined;
    return r ? toUnit(r) : null;
  }
  all(filter: { app?: string } = {}): UnitRecord[] {
    const rows = filter.app
      ? (this.db.prepare("SELECT * FROM units WHERE app = ? ORDER BY name").all(filter.app) as UnitRow[])
      : (this.db.prepare("SELECT * FROM units ORDER BY app, name").all() as UnitRow[]);
    return rows.map(toUnit);
  }
  forget(name: string): void {
    this.db.prepare("DELETE FROM units WHERE name = ?").run(name);
  }
  forgetId(id: string): void {
    this.db.prepare("DELETE FROM units WHERE id = ?").run(id);
  }
}
